using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Serverless.Testing.Metrics;

/// <summary>
/// The embedded metric format specification as a check: the JSON schema kept beside this file, then the rules the
/// schema cannot state (every referenced dimension a string member of the root of 1 to 1,024 characters, every metric
/// a number or an array of 1 to 100 numbers, a document under CloudWatch Logs' 1 MB event limit).
/// </summary>
public static class EmfRules
{
    public const int MaxDocumentBytes = 1_048_576;

    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Metrics", "emf.schema.json"))));

    /// <summary>What in <paramref name="document"/> breaks the specification; empty when it is a valid EMF document.</summary>
    public static IReadOnlyList<string> Problems(ReadOnlySpan<byte> document)
    {
        var problems = new List<string>();
        if (document.Length > MaxDocumentBytes)
        {
            problems.Add($"A document of {document.Length} bytes exceeds a log event's limit.");
        }

        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(document);
        }
        catch (JsonException e)
        {
            return [.. problems, "Not JSON: " + e.Message];
        }

        using (var element = JsonDocument.Parse(document.ToArray()))
        {
            var result = Schema.Value.Evaluate(element.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!result.IsValid)
            {
                problems.Add("Not an EMF document: " + string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                    .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
                return problems;
            }
        }

        var root = parsed!.AsObject();
        foreach (var directive in root["_aws"]!["CloudWatchMetrics"]!.AsArray())
        {
            foreach (var set in directive!["Dimensions"]!.AsArray())
            {
                foreach (var name in set!.AsArray().Select(n => (string)n!))
                {
                    if (root[name] is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
                    {
                        problems.Add($"Dimension '{name}' has no string member in the root.");
                    }
                    else if (((string)value!).Length is < 1 or > 1024)
                    {
                        problems.Add($"Dimension '{name}' has a value of {((string)value!).Length} characters (1 to 1,024 allowed).");
                    }
                }
            }

            foreach (var metric in directive["Metrics"]!.AsArray())
            {
                var name = (string)metric!["Name"]!;
                switch (root[name])
                {
                    case null:
                        problems.Add($"Metric '{name}' has no member in the root.");
                        break;
                    case JsonArray values:
                        if (values.Count is < 1 or > 100)
                        {
                            problems.Add($"Metric '{name}' has {values.Count} values (1 to 100 allowed).");
                        }

                        if (values.Any(v => v?.GetValueKind() != JsonValueKind.Number))
                        {
                            problems.Add($"Metric '{name}' has a value that is not a number.");
                        }

                        break;
                    case var value when value.GetValueKind() != JsonValueKind.Number:
                        problems.Add($"Metric '{name}' is not a number.");
                        break;
                }
            }
        }

        return problems;
    }
}
