using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Serialization;
using Serverless.Lambda.Metrics;

namespace Serverless.Local.Telemetry;

/// <summary>
/// The figures the functions would write to CloudWatch, kept in memory for the local stack: every measurement of the
/// project's meters (<c>Serverless.*</c>, the names <see cref="MeterBridge"/> carries into EMF on Lambda) plus what the
/// stack records itself (a stream batch's counts), per metric and dimension set: count, sum and p50/p95/p99. The
/// percentiles are over the last <see cref="RecentValues"/> values of a series; count and sum over all of them.
/// </summary>
public sealed class LocalMetrics : IDisposable
{
    public const int RecentValues = 10_000;

    private readonly ConcurrentDictionary<string, Series> series = new(StringComparer.Ordinal);
    private readonly MeterListener listener;

    public LocalMetrics()
    {
        listener = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name.StartsWith(MeterBridge.MeterPrefix, StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
    }

    /// <summary>Records one value of a metric the stack measures itself.</summary>
    public void Record(string name, string unit, double value, IReadOnlyList<KeyValuePair<string, string>> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        var sorted = dimensions.OrderBy(d => d.Key, StringComparer.Ordinal).ToList();
        var key = name + "\u0001" + string.Join('\u0002', sorted.Select(d => d.Key + "=" + d.Value));
        series.GetOrAdd(key, _ => new Series(name, unit, sorted)).Add(value);
    }

    /// <summary>Every series so far, by metric name then dimensions.</summary>
    public IReadOnlyList<MetricSeries> Snapshot() =>
        [.. series.Values.Select(s => s.Summary())
            .OrderBy(s => s.Metric, StringComparer.Ordinal)
            .ThenBy(s => string.Join(',', s.Dimensions.Select(d => d.Key + "=" + d.Value)), StringComparer.Ordinal)];

    /// <summary>
    /// The sum of <paramref name="metric"/> over every series whose dimensions include <paramref name="dimension"/>:
    /// read without the percentiles <see cref="Snapshot"/> sorts for, so it can be asked often.
    /// </summary>
    public double SumOf(string metric, KeyValuePair<string, string> dimension)
    {
        var total = 0d;
        foreach (var each in series.Values)
        {
            if (each.Name == metric && each.Dimensions.Contains(dimension))
            {
                total += each.Sum;
            }
        }

        return total;
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dimensions = new List<KeyValuePair<string, string>>(tags.Length);
        foreach (var (name, tag) in tags)
        {
            // The instruments' tags are the EMF dimensions: closed sets of strings (route templates, operations...).
            dimensions.Add(new(name, tag as string ?? "(not a string)"));
        }

        Record(instrument.Name, instrument.Unit ?? MetricUnit.None, value, dimensions);
    }

    public void Dispose() => listener.Dispose();

    private sealed class Series(string name, string unit, IReadOnlyList<KeyValuePair<string, string>> dimensions)
    {
        private readonly Lock gate = new();
        private readonly double[] recent = new double[RecentValues];
        private long count;
        private double sum;

        public string Name => name;

        public IReadOnlyList<KeyValuePair<string, string>> Dimensions => dimensions;

        public double Sum
        {
            get
            {
                lock (gate)
                {
                    return sum;
                }
            }
        }

        public void Add(double value)
        {
            lock (gate)
            {
                recent[count % RecentValues] = value;
                count++;
                sum += value;
            }
        }

        public MetricSeries Summary()
        {
            double[] values;
            long total;
            double totalSum;
            lock (gate)
            {
                values = recent[..(int)Math.Min(count, RecentValues)];
                total = count;
                totalSum = sum;
            }

            Array.Sort(values);
            return new MetricSeries(
                name,
                unit,
                dimensions.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal),
                total,
                Math.Round(totalSum, 3),
                Percentile(values, 0.50),
                Percentile(values, 0.95),
                Percentile(values, 0.99));
        }

        /// <summary>Nearest rank, as CloudWatch's percentile statistics read a sorted sample.</summary>
        private static double? Percentile(double[] sorted, double p) =>
            sorted.Length == 0 ? null : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)], 3);
    }
}

/// <summary>One metric under one dimension set.</summary>
public sealed record MetricSeries(
    string Metric, string Unit, IReadOnlyDictionary<string, string> Dimensions, long Count, double Sum, double? P50, double? P95, double? P99);

[JsonSerializable(typeof(IReadOnlyList<MetricSeries>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class LocalMetricsJsonContext : JsonSerializerContext;
