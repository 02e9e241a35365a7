using System.Buffers;
using System.Text.Json;

namespace Serverless.Lambda.Metrics;

/// <summary>
/// Writes metrics as CloudWatch embedded metric format documents, one JSON object per line, exactly as the
/// specification shapes them: <c>_aws</c> with <c>Timestamp</c> (milliseconds since the epoch) and
/// <c>CloudWatchMetrics</c>, one <c>MetricDirective</c> (<c>Namespace</c>, <c>Dimensions</c>, <c>Metrics</c> of
/// <c>Name</c>, <c>Unit</c>, <c>StorageResolution</c>), the dimension values and metric values as members of the root.
/// <para>
/// An invocation's dimension sets share as few documents as the root allows, one directive per set: dimension values and
/// metric values are members of the root, so two sets share a document only when they agree on every dimension name
/// they share and no member name means two things (a second route's latency needs a document of its own; the same
/// latency by route and over the whole API is one member both directives name). A document
/// holds at most <see cref="MaxMetricsPerDocument"/> metrics in all and at most <see cref="MaxValuesPerMetric"/> values
/// a metric: more are split into further documents, never dropped.
/// </para>
/// </summary>
public static class EmfDocumentWriter
{
    public const string MetadataMember = "_aws";

    /// <summary>The specification's limit on the MetricDefinitions of one directive.</summary>
    public const int MaxMetricsPerDocument = 100;

    /// <summary>The specification's limit on the values of one metric's array.</summary>
    public const int MaxValuesPerMetric = 100;

    /// <summary>CloudWatch's limit on a namespace.</summary>
    public const int MaxNamespaceLength = 255;

    /// <summary>The documents for the collector's metrics; none when nothing was recorded.</summary>
    /// <param name="properties">Members written beside the metrics for log queries (a request id), never dimensions.</param>
    public static IReadOnlyList<byte[]> Write(
        MetricsCollector collector, string metricNamespace, DateTimeOffset timestamp, IReadOnlyList<KeyValuePair<string, string>>? properties = null)
    {
        var lines = new EmfLines();
        WriteLines(collector, metricNamespace, timestamp, properties, lines);
        var documents = new List<byte[]>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            documents.Add(lines.Line(i)[..^1].ToArray());
        }

        return documents;
    }

    /// <summary>The same documents, each followed by a newline, into <paramref name="lines"/> (cleared first).</summary>
    internal static void WriteLines(
        MetricsCollector collector, string metricNamespace, DateTimeOffset timestamp, IReadOnlyList<KeyValuePair<string, string>>? properties, EmfLines lines)
    {
        ArgumentNullException.ThrowIfNull(collector);
        if (string.IsNullOrWhiteSpace(metricNamespace) || metricNamespace.Length > MaxNamespaceLength || metricNamespace.StartsWith(':'))
        {
            throw new ArgumentException($"A CloudWatch namespace is 1 to {MaxNamespaceLength} characters, not starting with ':'.", nameof(metricNamespace));
        }

        lines.Clear();
        collector.Read(
            (lines, metricNamespace, timestamp, properties),
            static (state, groups) =>
            {
                var (lines, metricNamespace, timestamp, properties) = state;
                var plan = lines.Plan;
                plan.Clear();
                foreach (var group in groups)
                {
                    for (var first = 0; first < group.Metrics.Count; first += MaxMetricsPerDocument)
                    {
                        var count = Math.Min(MaxMetricsPerDocument, group.Metrics.Count - first);
                        var rounds = 0;
                        for (var m = first; m < first + count; m++)
                        {
                            rounds = Math.Max(rounds, (group.Metrics[m].Values.Count + MaxValuesPerMetric - 1) / MaxValuesPerMetric);
                        }

                        for (var round = 0; round < rounds; round++)
                        {
                            // Round r carries each metric's r-th hundred values; a metric with fewer sits the later rounds out.
                            var part = plan.NewPart(group, round);
                            for (var m = first; m < first + count; m++)
                            {
                                if (group.Metrics[m].Values.Count > round * MaxValuesPerMetric)
                                {
                                    part.Metrics.Add(group.Metrics[m]);
                                }
                            }

                            plan.Place(part);
                        }
                    }
                }

                for (var d = 0; d < plan.Count; d++)
                {
                    Document(lines, plan[d], metricNamespace, timestamp, properties);
                }
            });
    }

    /// <summary>
    /// One document: a directive per part, then the root members the directives name, each once: the dimension values
    /// (parts placed together agree on every name they share), the metric values, and the properties no directive names.
    /// </summary>
    private static void Document(
        EmfLines lines, EmfDocumentPlan.Document document, string metricNamespace, DateTimeOffset timestamp,
        IReadOnlyList<KeyValuePair<string, string>>? properties)
    {
        if (lines.Templates?.Find(document, metricNamespace, properties) is { } template)
        {
            lines.WriteLine(template, document, timestamp, properties);
            return;
        }

        // Where each value goes, so that the next document of this shape is written from this one (EmfDocumentTemplate).
        var holes = lines.Templates is not null && EmfDocumentTemplate.CanHold(document, properties) ? lines.Holes : null;
        holes?.Clear();
        var json = lines.Writer();
        json.WriteStartObject();
        json.WriteStartObject(Members.Aws);
        json.WritePropertyName(Members.Timestamp);
        var at = Position(json);
        json.WriteNumberValue(timestamp.ToUnixTimeMilliseconds());
        holes?.Add((at, Position(json)));
        json.WriteStartArray(Members.CloudWatchMetrics);
        foreach (var part in document.Parts)
        {
            json.WriteStartObject();
            json.WriteString(Members.Namespace, Encoded(metricNamespace));
            json.WriteStartArray(Members.Dimensions);
            json.WriteStartArray();
            foreach (var (name, _) in part.Group.Dimensions)
            {
                json.WriteStringValue(Encoded(name));
            }

            json.WriteEndArray();
            json.WriteEndArray();
            json.WriteStartArray(Members.Metrics);
            foreach (var metric in part.Metrics)
            {
                json.WriteStartObject();
                json.WriteString(Members.Name, Encoded(metric.Name));
                json.WriteString(Members.Unit, Encoded(metric.Unit));
                json.WriteNumber(Members.StorageResolution, metric.StorageResolution);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();

        for (var p = 0; p < document.Parts.Count; p++)
        {
            foreach (var (name, value) in document.Parts[p].Group.Dimensions)
            {
                // Dimension values come from the fixed vocabulary, so they are as few as the names. A name an earlier
                // part of the document has (the default dimensions, at least) is written once.
                if (!document.HasDimensionBefore(p, name))
                {
                    json.WriteString(Encoded(name), Encoded(value));
                }
            }
        }

        for (var p = 0; p < document.Parts.Count; p++)
        {
            var part = document.Parts[p];
            foreach (var metric in part.Metrics)
            {
                // A member two directives name (the same values: the plan placed them together only so) is written once.
                if (document.HasMetricBefore(p, metric.Name))
                {
                    continue;
                }

                var from = part.Round * MaxValuesPerMetric;
                var count = Math.Min(MaxValuesPerMetric, metric.Values.Count - from);
                if (count == 1)
                {
                    json.WritePropertyName(Encoded(metric.Name));
                    at = Position(json);
                    WriteValue(json, metric.Values[from]);
                    holes?.Add((at, Position(json)));
                }
                else
                {
                    json.WriteStartArray(Encoded(metric.Name));
                    for (var i = from; i < from + count; i++)
                    {
                        WriteValue(json, metric.Values[i]);
                    }

                    json.WriteEndArray();
                }
            }
        }

        foreach (var (name, value) in properties ?? [])
        {
            // A property never shadows a dimension or a metric, whose members CloudWatch reads.
            if (name != MetadataMember && !document.Names(name))
            {
                json.WritePropertyName(Encoded(name));
                at = Position(json);
                json.WriteStringValue(value);
                holes?.Add((at, Position(json)));
            }
        }

        json.WriteEndObject();
        lines.EndLine();
        if (holes is not null)
        {
            lines.Templates!.Add(EmfDocumentTemplate.Create(document, metricNamespace, properties, lines.Line(lines.Count - 1), holes));
        }
    }

    /// <summary>Bytes written into the document so far (the writer starts each document afresh).</summary>
    private static int Position(Utf8JsonWriter json) => checked((int)(json.BytesCommitted + json.BytesPending));

    private static JsonEncodedText Encoded(string text) => Logging.EncodedNames.Metrics.Of(text);

    /// <summary>A whole number (a count, most capacity figures) as an integer: the same JSON number, without the float formatting.</summary>
    private static void WriteValue(Utf8JsonWriter json, double value)
    {
        if (IsWholeNumber(value))
        {
            json.WriteNumberValue((long)value);
        }
        else
        {
            json.WriteNumberValue(value);
        }
    }

    /// <summary>Whether a metric value is written as an integer (exactly, well within a long).</summary>
    internal static bool IsWholeNumber(double value) => value is > -1e15 and < 1e15 && value == Math.Floor(value);

    /// <summary>The document's own member names, encoded once.</summary>
    private static class Members
    {
        public static readonly JsonEncodedText Aws = JsonEncodedText.Encode(MetadataMember);
        public static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("Timestamp");
        public static readonly JsonEncodedText CloudWatchMetrics = JsonEncodedText.Encode("CloudWatchMetrics");
        public static readonly JsonEncodedText Namespace = JsonEncodedText.Encode("Namespace");
        public static readonly JsonEncodedText Dimensions = JsonEncodedText.Encode("Dimensions");
        public static readonly JsonEncodedText Metrics = JsonEncodedText.Encode("Metrics");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("Name");
        public static readonly JsonEncodedText Unit = JsonEncodedText.Encode("Unit");
        public static readonly JsonEncodedText StorageResolution = JsonEncodedText.Encode("StorageResolution");
    }
}

/// <summary>
/// Documents written one after another into one growing buffer, each ended by a newline: a flush writes each line
/// from it, and the buffer and the JSON writer are kept for the next flush rather than made again for every document.
/// </summary>
internal sealed class EmfLines(bool keepTemplates = false)
{
    private readonly ArrayBufferWriter<byte> buffer = new(2048);
    private readonly List<int> ends = [];
    private Utf8JsonWriter? json;

    /// <summary>The shapes written before, for the flushes of a thread (none for a one-off write).</summary>
    public EmfDocumentTemplates? Templates { get; } = keepTemplates ? new EmfDocumentTemplates() : null;

    /// <summary>The places of the values of the document being written, for its template.</summary>
    public List<(int Start, int End)> Holes { get; } = [];

    /// <summary>A document from a template, newline included.</summary>
    public void WriteLine(EmfDocumentTemplate template, EmfDocumentPlan.Document document, DateTimeOffset timestamp, IReadOnlyList<KeyValuePair<string, string>>? properties)
    {
        template.Write(buffer, document, timestamp, properties);
        ends.Add(buffer.WrittenCount);
    }

    /// <summary>Which parts go into which document, kept for the next flush like the buffer.</summary>
    public EmfDocumentPlan Plan { get; } = new();

    public int Count => ends.Count;

    public ReadOnlySpan<byte> Line(int index) =>
        buffer.WrittenSpan[(index == 0 ? 0 : ends[index - 1])..ends[index]];

    public void Clear()
    {
        buffer.ResetWrittenCount();
        ends.Clear();
    }

    public Utf8JsonWriter Writer()
    {
        if (json is null)
        {
            json = new Utf8JsonWriter(buffer);
        }
        else
        {
            json.Reset(buffer);
        }

        return json;
    }

    public void EndLine()
    {
        json!.Flush();
        buffer.Write("\n"u8);
        ends.Add(buffer.WrittenCount);
    }
}
