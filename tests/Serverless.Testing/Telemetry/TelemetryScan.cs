using System.Text.Json;

namespace Serverless.Testing.Telemetry;

/// <summary>
/// Reads everything a tap holds against the secrets it holds: each JSON log line field by field (by the logger's
/// category), each EMF document (by its metric names), each measurement's instrument name and tag values. A finding
/// says where and which kind of value, never the value.
/// </summary>
public static class TelemetryScan
{
    /// <summary>Every EMF document the tap saw (a JSON line with an <c>_aws</c> member), as written.</summary>
    public static IReadOnlyList<string> EmfDocuments(TelemetryTap tap)
    {
        ArgumentNullException.ThrowIfNull(tap);
        var documents = new List<string>();
        foreach (var line in tap.Lines)
        {
            try
            {
                using var json = JsonDocument.Parse(line.Text);
                if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("_aws", out _))
                {
                    documents.Add(line.Text);
                }
            }
            catch (JsonException)
            {
            }
        }

        return documents;
    }

    public static TelemetryScanResult Run(TelemetryTap tap)
    {
        ArgumentNullException.ThrowIfNull(tap);
        var matcher = new SecretMatcher(tap.Secrets.Snapshot());
        var findings = new Dictionary<TelemetryFinding, int>();
        void Check(string where, string? text)
        {
            foreach (var kind in matcher.KindsIn(text))
            {
                var finding = new TelemetryFinding(where, kind);
                findings[finding] = findings.GetValueOrDefault(finding) + 1;
            }
        }

        var lines = tap.Lines;
        int logLines = 0, emfDocuments = 0, otherLines = 0;
        foreach (var line in lines)
        {
            JsonDocument? json = null;
            try
            {
                json = JsonDocument.Parse(line.Text);
            }
            catch (JsonException)
            {
            }

            using (json)
            {
                if (json?.RootElement is { ValueKind: JsonValueKind.Object } root)
                {
                    if (root.TryGetProperty("_aws", out var aws))
                    {
                        emfDocuments++;
                        var where = "EMF document of " + string.Join(", ", MetricNames(aws).Order(StringComparer.Ordinal).Take(5));
                        Walk(root, "", (field, text) => Check(where + " (" + field + ")", text));
                    }
                    else
                    {
                        logLines++;
                        var category = root.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : "(no category)";
                        Walk(root, "", (field, text) =>
                        {
                            // A trace id is random hex made by the tracer: a hex-only test value (a fuzzed city) turns up in
                            // one by chance. Anything else in that field is still looked at.
                            if (!IsGeneratedTraceId(field, text))
                            {
                                Check("log line of " + category + " (" + field + ")", text);
                            }
                        });
                    }

                    continue;
                }
            }

            otherLines++;
            Check("text line written to a tapped " + line.Source, line.Text);
        }

        var measurements = tap.Measurements;
        foreach (var measurement in measurements)
        {
            Check("metric name (meter " + measurement.Meter + ")", measurement.Instrument);
            foreach (var (key, value) in measurement.Tags.Tags)
            {
                Check("metric " + measurement.Instrument + " tag name", key);
                Check("metric " + measurement.Instrument + " tag " + key, value);
            }
        }

        return new TelemetryScanResult(logLines, emfDocuments, otherLines, tap.MeasurementCount, measurements.Count, tap.Secrets.Count, findings);
    }

    private static IEnumerable<string> MetricNames(JsonElement aws)
    {
        if (aws.TryGetProperty("CloudWatchMetrics", out var directives) && directives.ValueKind == JsonValueKind.Array)
        {
            foreach (var directive in directives.EnumerateArray())
            {
                if (directive.TryGetProperty("Metrics", out var metrics) && metrics.ValueKind == JsonValueKind.Array)
                {
                    foreach (var metric in metrics.EnumerateArray())
                    {
                        if (metric.TryGetProperty("Name", out var name) && name.GetString() is { } text)
                        {
                            yield return text;
                        }
                    }
                }
            }
        }
    }

    private static readonly System.Buffers.SearchValues<char> TraceIdChars = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF-");

    /// <summary>A log line's trace id field holding only what a generated trace id holds (hex digits, dashes).</summary>
    private static bool IsGeneratedTraceId(string field, string? text) =>
        field is "trace_id" or "xray_trace_id" && text is { Length: > 0 } && !text.AsSpan().ContainsAnyExcept(TraceIdChars);

    /// <summary>Every property name and string value, with the path of the field it is in.</summary>
    private static void Walk(JsonElement element, string path, Action<string, string?> visit)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var field = path.Length == 0 ? property.Name : path + "." + property.Name;
                    visit(field + " (name)", property.Name);
                    Walk(property.Value, field, visit);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, path + "[]", visit);
                }

                break;
            case JsonValueKind.String:
                visit(path, element.TryGetString());
                break;
            default:
                // Numbers (durations, capacities, counts) and literals: no value the tests register can be one.
                break;
        }
    }
}

internal static class JsonStrings
{
    /// <summary>The string, or its raw JSON text when .NET cannot hold it (a lone surrogate escaped in the JSON).</summary>
    public static string TryGetString(this JsonElement value)
    {
        try
        {
            return value.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return value.GetRawText();
        }
    }
}

/// <summary>Where a kind of secret appeared: a log category and field, an EMF document, or a metric's name or tag.</summary>
public sealed record TelemetryFinding(string Where, string Kind);

public sealed record TelemetryScanResult(
    int LogLines,
    int EmfDocuments,
    int OtherLines,
    long Measurements,
    int DistinctMeasurements,
    int SecretsRegistered,
    IReadOnlyDictionary<TelemetryFinding, int> Findings)
{
    /// <summary>The findings, one a line, for an assertion message: where, which kind, how many times.</summary>
    public string Describe() =>
        string.Join(Environment.NewLine, Findings.OrderBy(f => f.Key.Where, StringComparer.Ordinal).ThenBy(f => f.Key.Kind, StringComparer.Ordinal)
            .Select(f => $"{f.Key.Kind} in {f.Key.Where}: {f.Value} time(s)"));

    public override string ToString() =>
        $"{LogLines} log lines, {EmfDocuments} EMF documents, {OtherLines} other lines, {Measurements} measurements ({DistinctMeasurements} distinct), {SecretsRegistered} secrets registered";
}

/// <summary>What a test assembly's scan asserts over the process's tap.</summary>
public static class TelemetryScanCheck
{
    /// <summary>
    /// Each reason the scan fails: every place a secret appeared (kind and where, never the value), and a tap that saw
    /// fewer lines, measurements or secrets than the minimums, since a scan of nothing proves nothing (run it with the
    /// rest of its assembly, not alone). Empty when the scan passes.
    /// </summary>
    public static IReadOnlyList<string> Problems(TelemetryScanResult result, int minimumLogLines, int minimumMeasurements, int minimumSecrets)
    {
        ArgumentNullException.ThrowIfNull(result);
        var problems = new List<string>();
        if (result.LogLines < minimumLogLines)
        {
            problems.Add($"The tap saw {result}: fewer than {minimumLogLines} log lines, so the loggers do not write into it (or the scan ran alone).");
        }

        if (result.Measurements < minimumMeasurements)
        {
            problems.Add($"The tap saw {result}: fewer than {minimumMeasurements} measurements.");
        }

        if (result.SecretsRegistered < minimumSecrets)
        {
            problems.Add($"The tap saw {result}: fewer than {minimumSecrets} secrets registered, so the builders do not register what they make.");
        }

        if (result.Findings.Count > 0)
        {
            problems.Add($"Secrets found in what the tests wrote ({result}):{Environment.NewLine}{result.Describe()}");
        }

        return problems;
    }

    /// <summary>
    /// Each way the EMF documents in the tap break the specification's schema or limits (<see cref="Metrics.EmfRules"/>),
    /// the document after its problems; and a tap with fewer than <paramref name="minimumDocuments"/> documents, since
    /// checking none proves nothing. Empty when every document passes.
    /// </summary>
    public static IReadOnlyList<string> EmfProblems(TelemetryTap tap, int minimumDocuments)
    {
        var documents = TelemetryScan.EmfDocuments(tap);
        var problems = new List<string>();
        if (documents.Count < minimumDocuments)
        {
            problems.Add($"{documents.Count} EMF documents, fewer than {minimumDocuments}: the functions' metrics do not reach the tap (or the scan ran alone).");
        }

        foreach (var document in documents)
        {
            if (Metrics.EmfRules.Problems(System.Text.Encoding.UTF8.GetBytes(document)) is { Count: > 0 } found)
            {
                problems.Add(string.Join(Environment.NewLine, found) + Environment.NewLine + document);
            }
        }

        return problems;
    }
}
