using System.Diagnostics.CodeAnalysis;

namespace Serverless.Lambda.Metrics;

/// <summary>
/// The metrics of one invocation, grouped by dimension set, until <see cref="LambdaMetrics"/> writes them as embedded
/// metric format documents when the invocation ends. Every dimension is checked against the fixed vocabulary as it is
/// recorded; the limits of a document (metrics, values) are the writer's, which splits rather than drops.
/// </summary>
public sealed class MetricsCollector
{
    /// <summary>The specification's limit on the dimensions of one set (the default dimensions included).</summary>
    public const int MaxDimensionsPerSet = 30;

    /// <summary>CloudWatch's limit on a metric name.</summary>
    public const int MaxMetricNameLength = 255;

    /// <summary>The count written when measurements were refused for their dimensions (production only; tests throw).</summary>
    public const string RefusedMetricName = "MetricDimensionsRefused";

    private readonly Lock gate = new();
    private readonly MetricDimensionVocabulary vocabulary;
    private readonly IReadOnlyList<KeyValuePair<string, string>> defaultDimensions;
    private readonly bool refuseWithException;
    private readonly Dictionary<string, MetricGroup> groups = new(StringComparer.Ordinal);
    private readonly List<MetricGroup> order = [];
    private int refused;

    public MetricsCollector(
        MetricDimensionVocabulary vocabulary, IReadOnlyList<KeyValuePair<string, string>>? defaultDimensions = null, bool refuseWithException = false)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        this.vocabulary = vocabulary;
        this.defaultDimensions = defaultDimensions ?? [];
        this.refuseWithException = refuseWithException;
        if (this.defaultDimensions.Count > MaxDimensionsPerSet)
        {
            throw new ArgumentException($"At most {MaxDimensionsPerSet} default dimensions.", nameof(defaultDimensions));
        }
    }

    /// <summary>Measurements dropped for a dimension outside the vocabulary (or too many dimensions).</summary>
    public int Refused => Volatile.Read(ref refused);

    /// <summary>True when nothing was recorded: then no document is written at all.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (gate)
            {
                return order.Count == 0 && refused == 0;
            }
        }
    }

    /// <summary>
    /// Records one value. A <see cref="MetricUnit.Count"/> of zero is not recorded: nothing happened, and a zero
    /// written for every invocation would only pay for data points (alarms treat the missing point as "not breaching").
    /// </summary>
    /// <param name="storageResolution">60 (standard) or 1 (high resolution), as the specification allows.</param>
    /// <exception cref="MetricDimensionException">A dimension outside the vocabulary, where refusals throw.</exception>
    public void Add(string name, string unit, double value, ReadOnlySpan<KeyValuePair<string, string?>> dimensions = default, int storageResolution = 60)
    {
        CheckName(name);
        if (storageResolution is not (1 or 60))
        {
            throw new ArgumentOutOfRangeException(nameof(storageResolution), storageResolution, "The storage resolution is 1 or 60 seconds.");
        }

        unit = MetricUnit.Normalize(unit);
        if (!double.IsFinite(value) || (value == 0 && unit == MetricUnit.Count))
        {
            // JSON has no NaN or infinity; a document holding one is rejected whole.
            return;
        }

        if (!TryDimensions(dimensions, out var set, out var refusal))
        {
            if (refuseWithException)
            {
                throw new MetricDimensionException(refusal);
            }

            Interlocked.Increment(ref refused);
            return;
        }

        if (set.Any(d => d.Key == name))
        {
            // Dimensions and metric values are members of the same JSON object: one name cannot be both.
            throw new ArgumentException($"The metric '{name}' has the name of one of its dimensions.", nameof(name));
        }

        var key = Key(set);
        lock (gate)
        {
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = new MetricGroup(set);
                order.Add(group);
            }

            group.Add(name, unit, storageResolution, value);
        }
    }

    /// <summary>The groups recorded so far, each with its values, in the order they were first seen; the refusals as a group of their own.</summary>
    internal IReadOnlyList<MetricGroup> Snapshot()
    {
        lock (gate)
        {
            var snapshot = new List<MetricGroup>(order.Count + 1);
            snapshot.AddRange(order.Select(g => g.Copy()));
            if (refused > 0)
            {
                var group = new MetricGroup(defaultDimensions);
                group.Add(RefusedMetricName, MetricUnit.Count, 60, refused);
                snapshot.Add(group);
            }

            return snapshot;
        }
    }

    private bool TryDimensions(
        ReadOnlySpan<KeyValuePair<string, string?>> dimensions, out List<KeyValuePair<string, string>> set, [NotNullWhen(false)] out string? refusal)
    {
        set = new List<KeyValuePair<string, string>>(defaultDimensions.Count + dimensions.Length);
        set.AddRange(defaultDimensions);
        foreach (var (name, value) in dimensions)
        {
            if (!vocabulary.Allows(name, value))
            {
                refusal = vocabulary.Refusal(name, value);
                return false;
            }

            if (set.Any(d => d.Key == name))
            {
                refusal = $"The metric dimension '{name}' is given twice.";
                return false;
            }

            set.Add(new KeyValuePair<string, string>(name, value!));
        }

        if (set.Count > MaxDimensionsPerSet)
        {
            refusal = $"{set.Count} dimensions in one set; the embedded metric format allows {MaxDimensionsPerSet}.";
            return false;
        }

        refusal = null;
        return true;
    }

    private static string Key(List<KeyValuePair<string, string>> set)
    {
        // A dimension set is a set: the same pairs in another order are the same time series.
        var text = new System.Text.StringBuilder();
        foreach (var (name, value) in set.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append('\u0001').Append(value).Append('\u0002');
        }

        return text.ToString();
    }

    private static void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxMetricNameLength || name.Any(c => c is < ' ' or > '~') || name == EmfDocumentWriter.MetadataMember)
        {
            throw new ArgumentException($"A metric name is 1 to {MaxMetricNameLength} printable ASCII characters.", nameof(name));
        }
    }
}

/// <summary>The metrics recorded under one dimension set.</summary>
internal sealed class MetricGroup(IReadOnlyList<KeyValuePair<string, string>> dimensions)
{
    private readonly Dictionary<string, RecordedMetric> byName = new(StringComparer.Ordinal);

    public IReadOnlyList<KeyValuePair<string, string>> Dimensions { get; } = dimensions;

    public List<RecordedMetric> Metrics { get; } = [];

    public void Add(string name, string unit, int storageResolution, double value)
    {
        if (!byName.TryGetValue(name, out var metric))
        {
            // The first unit and resolution recorded for a name hold for the invocation: one definition per metric.
            byName[name] = metric = new RecordedMetric(name, unit, storageResolution);
            Metrics.Add(metric);
        }

        metric.Values.Add(value);
    }

    public MetricGroup Copy()
    {
        var copy = new MetricGroup(Dimensions);
        foreach (var metric in Metrics)
        {
            var copied = new RecordedMetric(metric.Name, metric.Unit, metric.StorageResolution);
            copied.Values.AddRange(metric.Values);
            copy.byName[metric.Name] = copied;
            copy.Metrics.Add(copied);
        }

        return copy;
    }
}

internal sealed record RecordedMetric(string Name, string Unit, int StorageResolution)
{
    public List<double> Values { get; } = [];
}
