using System.Text.Json.Nodes;
using Serverless.Testing.Metrics;

namespace Serverless.Lambda.Tests.Metrics;

/// <summary>Holds a document to the embedded metric format specification (<see cref="EmfRules"/>).</summary>
internal static class EmfSpecification
{
    public const int MaxDocumentBytes = EmfRules.MaxDocumentBytes;

    /// <summary>The document as a JSON object, after failing the test on any rule it breaks.</summary>
    public static JsonObject AssertValid(ReadOnlySpan<byte> document)
    {
        var problems = EmfRules.Problems(document);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        return JsonNode.Parse(document)!.AsObject();
    }
}
