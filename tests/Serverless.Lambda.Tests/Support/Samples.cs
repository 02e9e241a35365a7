using System.Text.Json.Nodes;
using Serverless.Lambda.Events;

namespace Serverless.Lambda.Tests.Support;

internal static class Samples
{
    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Samples", name));

    /// <summary>A sample as a mutable tree, to derive a variant in memory while the file stays byte-exact.</summary>
    public static JsonObject Json(string name) => JsonNode.Parse(Utf8Bom.Skip(Bytes(name).AsSpan()))!.AsObject();

    public static byte[] ToBytes(this JsonNode node) => System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
}
