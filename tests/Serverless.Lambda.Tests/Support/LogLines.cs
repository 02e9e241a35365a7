using System.Text;
using System.Text.Json.Nodes;

namespace Serverless.Lambda.Tests.Support;

internal static class LogLines
{
    /// <summary>Every line must be one JSON object; a line that is not fails the parse and the test.</summary>
    public static List<JsonObject> Parse(MemoryStream output) =>
        Encoding.UTF8.GetString(output.ToArray())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .ToList();
}
