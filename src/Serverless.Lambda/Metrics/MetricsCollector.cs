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

        AddChecked(name, MetricUnit.Normalize(unit), value, dimensions, storageResolution);
    }

    /// <summary>
    /// <see cref="Add"/> for a caller that has checked the name (<see cref="IsMetricName"/>) and the resolution, and
    /// normalized the unit, once for every value it records (<see cref="MeterBridge"/>, per instrument).
    /// </summary>
    internal void AddChecked(string name, string unit, double value, ReadOnlySpan<KeyValuePair<string, string?>> dimensions, int storageResolution)
    {
        if (!double.IsFinite(value) || (value == 0 && unit == MetricUnit.Count))
        {
            // JSON has no NaN or infinity; a document holding one is rejected whole.
            return;
        }

        lock (gate)
        {
            // The same few dimension sets come back for every measurement of an invocation: find the group by its pairs
            // (a set: the same pairs in another order are the same time series) before building and checking a new one.
            // An invocation records a handful of sets, so a scan beats building a key for each measurement.
            if (Find(dimensions) is { } known)
            {
                if (known.HasDimension(name))
                {
                    throw NameIsDimension(name);
                }

                known.Add(name, unit, storageResolution, value);
                return;
            }
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

        foreach (var dimension in set)
        {
            if (dimension.Key == name)
            {
                // Dimensions and metric values are members of the same JSON object: one name cannot be both.
                throw NameIsDimension(name);
            }
        }

        lock (gate)
        {
            // Looked for again: another task of the invocation may have added the set meanwhile.
            if (Find(dimensions) is not { } group)
            {
                group = new MetricGroup(set, defaultDimensions.Count);
                order.Add(group);
            }

            group.Add(name, unit, storageResolution, value);
        }
    }

    private static ArgumentException NameIsDimension(string name) =>
        new($"The metric '{name}' has the name of one of its dimensions.", nameof(name));

    /// <summary>The group whose own (non-default) dimensions are exactly <paramref name="dimensions"/>, in any order.</summary>
    private MetricGroup? Find(ReadOnlySpan<KeyValuePair<string, string?>> dimensions)
    {
        foreach (var group in order)
        {
            if (group.HasExactly(dimensions))
            {
                return group;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads the groups recorded so far, in the order they were first seen, and the refusals as a group of their own,
    /// while no measurement can be added: the flush reads the groups themselves rather than a copy of each.
    /// </summary>
    internal void Read<TState>(TState state, Action<TState, IReadOnlyList<MetricGroup>> read)
    {
        lock (gate)
        {
            if (refused == 0)
            {
                read(state, order);
                return;
            }

            var group = new MetricGroup(defaultDimensions, defaultDimensions.Count);
            group.Add(RefusedMetricName, MetricUnit.Count, 60, refused);
            read(state, [.. order, group]);
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

            if (Contains(set, name))
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

    private static bool Contains(List<KeyValuePair<string, string>> set, string name)
    {
        foreach (var dimension in set)
        {
            if (dimension.Key == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="name"/> may name a metric: 1 to 255 printable ASCII characters, and not the metadata member.</summary>
    internal static bool IsMetricName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxMetricNameLength && !name.AsSpan().ContainsAnyExceptInRange(' ', '~') && name != EmfDocumentWriter.MetadataMember;

    private static void CheckName(string name)
    {
        if (!IsMetricName(name))
        {
            throw new ArgumentException($"A metric name is 1 to {MaxMetricNameLength} printable ASCII characters.", nameof(name));
        }
    }
}

/// <summary>The metrics recorded under one dimension set.</summary>
internal sealed class MetricGroup(IReadOnlyList<KeyValuePair<string, string>> dimensions, int defaults)
{
    // A group holds a few metrics: found by a scan, indexed only once it holds many.
    private const int ScanAtMost = 8;
    private Dictionary<string, RecordedMetric>? byName;

    public IReadOnlyList<KeyValuePair<string, string>> Dimensions { get; } = dimensions;

    public List<RecordedMetric> Metrics { get; } = [];

    public void Add(string name, string unit, int storageResolution, double value)
    {
        if (Find(name) is not { } metric)
        {
            // The first unit and resolution recorded for a name hold for the invocation: one definition per metric.
            metric = new RecordedMetric(name, unit, storageResolution);
            Metrics.Add(metric);
            if (byName is not null)
            {
                byName[name] = metric;
            }
            else if (Metrics.Count > ScanAtMost)
            {
                byName = new Dictionary<string, RecordedMetric>(StringComparer.Ordinal);
                foreach (var each in Metrics)
                {
                    byName[each.Name] = each;
                }
            }
        }

        metric.Values.Add(value);
    }

    private RecordedMetric? Find(string name)
    {
        if (byName is not null)
        {
            return byName.GetValueOrDefault(name);
        }

        foreach (var metric in Metrics)
        {
            if (metric.Name == name)
            {
                return metric;
            }
        }

        return null;
    }

    /// <summary>Whether the set's dimensions past the defaults are exactly these pairs, in any order.</summary>
    /// <remarks>The set holds no name twice, so equal counts and each pair of the set among the given ones is equality
    /// (a name given twice leaves one of the set's pairs unmatched: it is refused on the slow path).</remarks>
    public bool HasExactly(ReadOnlySpan<KeyValuePair<string, string?>> given)
    {
        if (Dimensions.Count - defaults != given.Length)
        {
            return false;
        }

        for (var i = defaults; i < Dimensions.Count; i++)
        {
            var (name, value) = Dimensions[i];
            var found = false;
            foreach (var pair in given)
            {
                if (string.Equals(pair.Key, name, StringComparison.Ordinal) && string.Equals(pair.Value, value, StringComparison.Ordinal))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The value of the dimension <paramref name="name"/> in this set, or null when the set has no such dimension.</summary>
    public string? ValueOf(string name)
    {
        for (var i = 0; i < Dimensions.Count; i++)
        {
            if (Dimensions[i].Key == name)
            {
                return Dimensions[i].Value;
            }
        }

        return null;
    }

    public bool HasDimension(string name)
    {
        for (var i = 0; i < Dimensions.Count; i++)
        {
            if (Dimensions[i].Key == name)
            {
                return true;
            }
        }

        return false;
    }
}

internal sealed record RecordedMetric(string Name, string Unit, int StorageResolution)
{
    public List<double> Values { get; } = [];
}
