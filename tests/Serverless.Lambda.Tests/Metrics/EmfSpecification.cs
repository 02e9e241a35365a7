using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Serverless.Lambda.Tests.Metrics;

/// <summary>
/// Holds a document to the embedded metric format specification: the JSON schema kept beside this file, then the
/// rules the schema cannot state (every referenced dimension a string member of the root, every metric a number or
/// an array of at most 100 numbers, a document under CloudWatch Logs' 1 MB event limit).
/// </summary>
internal static class EmfSpecification
{
    public const int MaxDocumentBytes = 1_048_576;

    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Metrics", "emf.schema.json"))));

    /// <summary>The document as a JSON object, after failing the test on any rule it breaks.</summary>
    public static JsonObject AssertValid(ReadOnlySpan<byte> document)
    {
        Assert.True(document.Length <= MaxDocumentBytes, $"A document of {document.Length} bytes exceeds a log event's limit.");
        using var parsed = JsonDocument.Parse(document.ToArray());
        var result = Schema.Value.Evaluate(parsed.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, "Not an EMF document: " + string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));

        var root = JsonNode.Parse(document)!.AsObject();
        foreach (var directive in root["_aws"]!["CloudWatchMetrics"]!.AsArray())
        {
            foreach (var set in directive!["Dimensions"]!.AsArray())
            {
                foreach (var name in set!.AsArray().Select(n => (string)n!))
                {
                    var value = root[name];
                    Assert.True(value is JsonValue v && v.GetValueKind() == JsonValueKind.String, $"Dimension '{name}' has no string member in the root.");
                    var text = (string)value!;
                    Assert.InRange(text.Length, 1, 1024);
                }
            }

            foreach (var metric in directive["Metrics"]!.AsArray())
            {
                var name = (string)metric!["Name"]!;
                var value = root[name];
                Assert.NotNull(value);
                if (value is JsonArray values)
                {
                    Assert.InRange(values.Count, 1, 100);
                    Assert.All(values, v => Assert.Equal(JsonValueKind.Number, v!.GetValueKind()));
                }
                else
                {
                    Assert.Equal(JsonValueKind.Number, value.GetValueKind());
                }
            }
        }

        return root;
    }
}
