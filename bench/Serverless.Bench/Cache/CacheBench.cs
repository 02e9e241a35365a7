using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data.Caching;

namespace Serverless.Bench.Cache;

/// <summary>
/// The user cache (issue 18, docs/caching.md) against a <c>redis-server</c> this section starts: reads through the
/// repository with the cache against the same reads without it, the hit ratio of a Zipf workload, and how long a write
/// that bypasses the API takes to be invalidated by the CacheInvalidation stream function.
/// </summary>
public static class CacheBench
{
    public const string Key = "cache";

    public const string Title = "User cache";

    public static async Task<SectionResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var section = new SectionResult
        {
            Key = Key,
            Title = Title,
            Quick = context.Quick,
            Method =
                "Through the data layer in process, against a redis-server 7 of the section's own on loopback (in memory, no persistence) and "
                + "the run's DynamoDB Local. Reads: UserRepository's get by id and by email of sealed users with the cache on (every user "
                + "read once first) against a UserRepository without cache (UserCache.Off) on the same table and client, one call at a time, "
                + "sides in alternating rounds. Hit ratio: get by id of users drawn from a Zipf(s = 1.0) distribution, counted from the "
                + "CacheHits and CacheMisses metrics (Cache = user) after a warm-up of five reads per user. Invalidation: an UpdateItem "
                + "by a plain SDK client bumping a user's version, as a migration writes, until the CacheInvalidation stream function, fed "
                + "by the local event source mapping emulator from the table's stream, has left the tombstone of the new version.",
        };

        if (RedisProcess.FindProgram() is not { } program)
        {
            section.Error = $"section skipped: {RedisProcess.Program} not installed ({RedisProcess.InstallHint})";
            return section;
        }

        await using var redis = await RedisProcess.StartAsync(program, ct);
        await CachedReads.AddAsync(context, redis, section, ct);
        await HitRatio.AddAsync(context, redis, section, ct);
        await StreamInvalidation.AddAsync(context, redis, section, ct);
        return section;
    }

    /// <summary>A user cache on <paramref name="redis"/> with the shipped defaults, keys under <paramref name="prefix"/>, once its connection answers.</summary>
    internal static async Task<UserCache> ConnectAsync(RedisProcess redis, string prefix, CancellationToken ct)
    {
        var options = new CacheOptions { Endpoint = redis.Endpoint, KeyPrefix = prefix };
        var store = RedisCacheStore.Connect(options);
        // The connection is made in the background and calls fail fast until it is up: wait for it, so no warm-up read
        // goes to the table for want of a connection (and opens the circuit).
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await store.GetAsync(prefix + "ping");
                break;
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException && attempt < 200)
            {
                await Task.Delay(50, ct);
            }
        }

        return new UserCache(store, options, TimeProvider.System, message => Console.Error.WriteLine("   cache: " + message));
    }
}
