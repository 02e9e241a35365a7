using System.Buffers;
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
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>(static (instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>(static (instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
        return listener;
    }

    private static void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (InvocationMetrics.Current is not { } collector)
        {
            return;
        }

        // A measurement carries a few tags: converted on a rented array, not a new one each time (the collector keeps copies).
        var converted = ArrayPool<KeyValuePair<string, string?>>.Shared.Rent(tags.Length);
        try
        {
            for (var i = 0; i < tags.Length; i++)
            {
                // Only a string can be one of a dimension's fixed values; anything else is refused as not in the vocabulary.
                converted[i] = new KeyValuePair<string, string?>(tags[i].Key, tags[i].Value as string);
            }

            collector.Add(instrument.Name, instrument.Unit ?? MetricUnit.None, value, converted.AsSpan(0, tags.Length));
        }
        finally
        {
            ArrayPool<KeyValuePair<string, string?>>.Shared.Return(converted, clearArray: true);
        }
    }
}
