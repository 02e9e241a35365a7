using System.Diagnostics.Metrics;
using Serverless.Data.Client;

namespace Serverless.Data.Caching;

/// <summary>
/// The cache's metrics, on the data layer's meter (<see cref="DynamoDbTelemetry.MeterName"/>; the Lambda layer writes
/// them as EMF): hits and misses per cache, failed cache calls, and circuit openings. The one dimension has a closed set
/// of values; never a key, an id or a token.
/// </summary>
public static class CacheTelemetry
{
    public const string CacheDimension = "Cache";

    /// <summary>The <see cref="CacheDimension"/> values: <c>user:{id}</c>, <c>user:email:{token}</c>, the active-users pages.</summary>
    public const string UserCache = "user";
    public const string EmailCache = "email";
    public const string ActivePageCache = "activePage";

    public const string HitsMetric = "CacheHits";
    public const string MissesMetric = "CacheMisses";
    public const string ErrorsMetric = "CacheErrors";
    public const string CircuitOpenedMetric = "CacheCircuitOpened";

    private static readonly Meter Meter = new(DynamoDbTelemetry.MeterName);
    private static readonly Counter<long> Hits = Meter.CreateCounter<long>(HitsMetric, "Count");
    private static readonly Counter<long> Misses = Meter.CreateCounter<long>(MissesMetric, "Count");
    private static readonly Counter<long> Errors = Meter.CreateCounter<long>(ErrorsMetric, "Count");
    private static readonly Counter<long> CircuitOpened = Meter.CreateCounter<long>(CircuitOpenedMetric, "Count");

    public static IReadOnlyCollection<string> Caches { get; } = [UserCache, EmailCache, ActivePageCache];

    /// <summary>The dimension with its values, for the metric vocabulary of a function that uses the cache.</summary>
    public static IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> MetricDimensions => [new(CacheDimension, Caches)];

    internal static void Hit(string cache) => Hits.Add(1, new KeyValuePair<string, object?>(CacheDimension, cache));

    internal static void Miss(string cache) => Misses.Add(1, new KeyValuePair<string, object?>(CacheDimension, cache));

    internal static void Error(string cache) => Errors.Add(1, new KeyValuePair<string, object?>(CacheDimension, cache));

    internal static void Opened() => CircuitOpened.Add(1);
}
