using System.Diagnostics.Metrics;

namespace Serverless.Lambda.Metrics;

/// <summary>
/// Carries the measurements of the project's <see cref="Meter"/>s (every meter named <c>Serverless.*</c>) into the
/// current invocation's collector. The API and the data layer measure with the framework's own instruments and know
/// nothing of Lambda or of the embedded metric format; on the local stack, where no invocation runs, the same
/// instruments can be read by any other listener. An instrument's unit is its CloudWatch unit; its tags are the dimensions.
/// </summary>
public static class MeterBridge
{
    public const string MeterPrefix = "Serverless.";

    private static readonly Lazy<MeterListener> Listener = new(Start);

    /// <summary>Starts the process's one listener, once; later calls do nothing.</summary>
    public static void EnsureStarted() => _ = Listener.Value;

    private static MeterListener Start()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal))
                {
                    // What every measurement of the instrument would work out again: its unit as CloudWatch names it,
                    // and whether its name may be a metric's (one that may not is refused on each measurement, as before).
                    listener.EnableMeasurementEvents(instrument, new Bridged(instrument.Name, MetricUnit.Normalize(instrument.Unit), MetricsCollector.IsMetricName(instrument.Name)));
                }
            },
        };
        listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => Record((Bridged)state!, value, tags));
        listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => Record((Bridged)state!, value, tags));
        listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => Record((Bridged)state!, value, tags));
        listener.Start();
        return listener;
    }

    /// <summary>An instrument as the collector takes it, worked out once when it is published.</summary>
    private sealed record Bridged(string Name, string Unit, bool NameChecked);

    // A measurement carries a few tags: converted on the thread's own array rather than a new or pooled one each time
    // (the collector keeps copies). Taken while in use, so a measurement made while converting another gets its own.
    [ThreadStatic]
    private static KeyValuePair<string, string?>[]? tagBuffer;

    private const int TagBufferLength = 8;

    private static void Record(Bridged instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (InvocationMetrics.Current is not { } collector)
        {
            return;
        }

        var converted = tags.Length <= TagBufferLength ? tagBuffer ?? new KeyValuePair<string, string?>[TagBufferLength] : new KeyValuePair<string, string?>[tags.Length];
        tagBuffer = null;
        try
        {
            for (var i = 0; i < tags.Length; i++)
            {
                // Only a string can be one of a dimension's fixed values; anything else is refused as not in the vocabulary.
                converted[i] = new KeyValuePair<string, string?>(tags[i].Key, tags[i].Value as string);
            }

            if (instrument.NameChecked)
            {
                collector.AddChecked(instrument.Name, instrument.Unit, value, converted.AsSpan(0, tags.Length), 60);
            }
            else
            {
                collector.Add(instrument.Name, instrument.Unit, value, converted.AsSpan(0, tags.Length));
            }
        }
        finally
        {
            if (converted.Length == TagBufferLength)
            {
                converted.AsSpan(0, tags.Length).Clear();
                tagBuffer = converted;
            }
        }
    }
}
