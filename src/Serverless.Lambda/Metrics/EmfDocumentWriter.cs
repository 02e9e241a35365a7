using System.Buffers;
using System.Text.Json;

namespace Serverless.Lambda.Metrics;

/// <summary>
/// Writes metrics as CloudWatch embedded metric format documents, one JSON object per line, exactly as the
/// specification shapes them: <c>_aws</c> with <c>Timestamp</c> (milliseconds since the epoch) and
/// <c>CloudWatchMetrics</c>, one <c>MetricDirective</c> (<c>Namespace</c>, <c>Dimensions</c>, <c>Metrics</c> of
/// <c>Name</c>, <c>Unit</c>, <c>StorageResolution</c>), the dimension values and metric values as members of the root.
/// <para>
/// Each document holds one dimension set (its values are root members, so two sets with different values cannot
/// share one), at most <see cref="MaxMetricsPerDocument"/> metrics and at most <see cref="MaxValuesPerMetric"/> values a
/// metric: more are split into further documents, never dropped.
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
        ArgumentNullException.ThrowIfNull(collector);
        if (string.IsNullOrWhiteSpace(metricNamespace) || metricNamespace.Length > MaxNamespaceLength || metricNamespace.StartsWith(':'))
        {
            throw new ArgumentException($"A CloudWatch namespace is 1 to {MaxNamespaceLength} characters, not starting with ':'.", nameof(metricNamespace));
        }

        var documents = new List<byte[]>();
        foreach (var group in collector.Snapshot())
        {
            for (var first = 0; first < group.Metrics.Count; first += MaxMetricsPerDocument)
            {
                var metrics = group.Metrics.GetRange(first, Math.Min(MaxMetricsPerDocument, group.Metrics.Count - first));
                var rounds = metrics.Max(m => (m.Values.Count + MaxValuesPerMetric - 1) / MaxValuesPerMetric);
                for (var round = 0; round < rounds; round++)
                {
                    // Round r carries each metric's r-th hundred values; a metric with fewer sits the later rounds out.
                    var present = metrics.Where(m => m.Values.Count > round * MaxValuesPerMetric).ToList();
                    documents.Add(Document(group, present, round, metricNamespace, timestamp, properties));
                }
            }
        }

        return documents;
    }

    private static byte[] Document(
        MetricGroup group, List<RecordedMetric> metrics, int round, string metricNamespace, DateTimeOffset timestamp,
        IReadOnlyList<KeyValuePair<string, string>>? properties)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataMember);
            json.WriteNumber("Timestamp", timestamp.ToUnixTimeMilliseconds());
            json.WriteStartArray("CloudWatchMetrics");
            json.WriteStartObject();
            json.WriteString("Namespace", metricNamespace);
            json.WriteStartArray("Dimensions");
            json.WriteStartArray();
            foreach (var (name, _) in group.Dimensions)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
            json.WriteEndArray();
            json.WriteStartArray("Metrics");
            foreach (var metric in metrics)
            {
                json.WriteStartObject();
                json.WriteString("Name", metric.Name);
                json.WriteString("Unit", metric.Unit);
                json.WriteNumber("StorageResolution", metric.StorageResolution);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();

            foreach (var (name, value) in group.Dimensions)
            {
                json.WriteString(name, value);
            }

            foreach (var metric in metrics)
            {
                var values = metric.Values.Skip(round * MaxValuesPerMetric).Take(MaxValuesPerMetric).ToList();
                if (values.Count == 1)
                {
                    json.WriteNumber(metric.Name, values[0]);
                }
                else
                {
                    json.WriteStartArray(metric.Name);
                    foreach (var value in values)
                    {
                        json.WriteNumberValue(value);
                    }

                    json.WriteEndArray();
                }
            }

            foreach (var (name, value) in properties ?? [])
            {
                // A property never shadows a dimension or a metric, whose members CloudWatch reads.
                if (name != MetadataMember && group.Dimensions.All(d => d.Key != name) && metrics.All(m => m.Name != name))
                {
                    json.WriteString(name, value);
                }
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
