using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Serverless.Data.Caching;
using Serverless.Data.Client;

namespace Serverless.Bench.Cache;

/// <summary>
/// Counts the cache's hits, misses and failed calls per cache (the <c>Cache</c> tag) from its metrics on the data
/// layer's meter, while this listener lives: what the function would write as EMF.
/// </summary>
internal sealed class CacheCounts : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Metric, string Cache), long> _counts = new();

    public CacheCounts()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DynamoDbTelemetry.MeterName
                && instrument.Name is CacheTelemetry.HitsMetric or CacheTelemetry.MissesMetric or CacheTelemetry.ErrorsMetric)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var cache = "";
            foreach (var tag in tags)
            {
                if (tag.Key == CacheTelemetry.CacheDimension)
                {
                    cache = tag.Value as string ?? "";
                }
            }

            _counts.AddOrUpdate((instrument.Name, cache), value, (_, n) => n + value);
        });
        _listener.Start();
    }

    public long Hits(string cache) => _counts.GetValueOrDefault((CacheTelemetry.HitsMetric, cache));

    public long Misses(string cache) => _counts.GetValueOrDefault((CacheTelemetry.MissesMetric, cache));

    public long Errors => _counts.Where(c => c.Key.Metric == CacheTelemetry.ErrorsMetric).Sum(c => c.Value);

    /// <summary>"user 3,000 hits / 0 misses; email ...; 0 failed cache calls", for the caches that saw any read.</summary>
    public string Describe() =>
        string.Join("; ", CacheTelemetry.Caches
            .Where(c => Hits(c) + Misses(c) > 0)
            .Select(c => $"{c} {Support.Format.Count(Hits(c))} hits / {Support.Format.Count(Misses(c))} misses"))
        + $"; {Support.Format.Count(Errors)} failed cache calls";

    public void Dispose() => _listener.Dispose();
}
