using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Serverless.Lambda.Logging;

namespace Serverless.Testing.Telemetry;

/// <summary>
/// Everything a test process writes as telemetry: every log line (the fixtures' loggers write through the project's
/// own JSON log provider into the tap, so what is kept is exactly what CloudWatch would store), every EMF document,
/// and every measurement of the project's meters (instrument and tag values), beside the secrets the tests made
/// (<see cref="Secrets"/>). <see cref="Process"/> is the one the fixtures feed; <see cref="TelemetryScan"/> reads it
/// after every other test of the assembly (<see cref="TelemetryScanCollection"/>).
/// </summary>
public sealed class TelemetryTap : IDisposable
{
    private static readonly Lazy<TelemetryTap> ProcessTap = new(() => new TelemetryTap(MeterPrefix));

    /// <summary>The project's meters (the same prefix the Lambda layer's bridge carries into EMF).</summary>
    public const string MeterPrefix = Serverless.Lambda.Metrics.MeterBridge.MeterPrefix;

    private readonly ConcurrentQueue<TappedLine> _lines = new();
    private readonly ConcurrentDictionary<TappedMeasurement, int> _measurements = new();
    private readonly MeterListener _listener;
    private long _measurementCount;

    public TelemetryTap(string meterPrefix)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name.StartsWith(meterPrefix, StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<byte>((i, _, tags, _) => Measure(i, tags));
        _listener.SetMeasurementEventCallback<short>((i, _, tags, _) => Measure(i, tags));
        _listener.SetMeasurementEventCallback<int>((i, _, tags, _) => Measure(i, tags));
        _listener.SetMeasurementEventCallback<long>((i, _, tags, _) => Measure(i, tags));
        _listener.SetMeasurementEventCallback<float>((i, _, tags, _) => Measure(i, tags));
        _listener.SetMeasurementEventCallback<double>((i, _, tags, _) => Measure(i, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, _, tags, _) => Measure(i, tags));
        _listener.Start();
    }

    /// <summary>The test process's tap, listening from its first use (the assembly fixture <see cref="TelemetryTapFixture"/>).</summary>
    public static TelemetryTap Process => ProcessTap.Value;

    public PiiValues Secrets { get; } = new();

    public IReadOnlyCollection<TappedLine> Lines => [.. _lines];

    /// <summary>Each distinct measurement (instrument and tags), once.</summary>
    public IReadOnlyCollection<TappedMeasurement> Measurements => [.. _measurements.Keys];

    public long MeasurementCount => Interlocked.Read(ref _measurementCount);

    /// <summary>
    /// A logger provider writing the project's JSON lines (<see cref="LambdaJsonLoggerProvider"/>, as on Lambda) into the
    /// tap; one per logger factory, since the provider reads its factory's scopes.
    /// </summary>
    public ILoggerProvider CreateLoggerProvider() =>
        new LambdaJsonLoggerProvider(new LambdaJsonLoggerOptions { Output = new TapStream(this, "log", inner: null) });

    /// <summary>The stream to give a JSON logger or an EMF writer: every line goes to the tap, and on to <paramref name="inner"/>.</summary>
    public Stream Tee(Stream? inner) => new TapStream(this, "output", inner);

    internal void AddLine(string source, string text) => _lines.Enqueue(new TappedLine(source, text));

    private void Measure(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Interlocked.Increment(ref _measurementCount);
        var pairs = new KeyValuePair<string, string?>[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            pairs[i] = new(tags[i].Key, Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture));
        }

        _measurements.AddOrUpdate(new TappedMeasurement(instrument.Meter.Name, instrument.Name, new TagSet(pairs)), 1, (_, n) => n + 1);
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>One line as written: a JSON log line, an EMF document, or anything else a tapped stream received.</summary>
public sealed record TappedLine(string Source, string Text);

public sealed record TappedMeasurement(string Meter, string Instrument, TagSet Tags);

/// <summary>A measurement's tags, compared by value so that equal measurements are kept once.</summary>
public sealed class TagSet(IReadOnlyList<KeyValuePair<string, string?>> tags) : IEquatable<TagSet>
{
    public IReadOnlyList<KeyValuePair<string, string?>> Tags { get; } = tags;

    public bool Equals(TagSet? other) => other is not null && Tags.SequenceEqual(other.Tags);

    public override bool Equals(object? obj) => Equals(obj as TagSet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in Tags)
        {
            hash.Add(key, StringComparer.Ordinal);
            hash.Add(value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}
