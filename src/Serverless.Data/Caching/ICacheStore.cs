namespace Serverless.Data.Caching;

/// <summary>
/// The few atomic operations the user cache needs from its server; <see cref="RedisCacheStore"/> is the one for Redis
/// and Valkey. Every operation touches one key or keys of one hash slot. They may throw or hang when the server fails:
/// <see cref="CacheGuard"/> bounds and contains that.
/// </summary>
public interface ICacheStore
{
    /// <summary>The value at <paramref name="key"/>, or null.</summary>
    Task<byte[]?> GetAsync(string key);

    /// <summary>Runs <see cref="CacheScripts.Install"/>: true when <paramref name="entry"/> was installed.</summary>
    Task<bool> InstallAsync(string key, byte[] entry, TimeSpan ttl);

    /// <summary>Runs <see cref="CacheScripts.Invalidate"/>: puts <paramref name="tombstone"/> unless something newer is there.</summary>
    Task InvalidateAsync(string key, byte[] tombstone, TimeSpan ttl);

    /// <summary>The counter at <paramref name="key"/> (0 when absent).</summary>
    Task<long> GetCounterAsync(string key);

    /// <summary>Adds one to the counter at <paramref name="key"/>.</summary>
    Task IncrementAsync(string key);

    /// <summary>Runs <see cref="CacheScripts.InstallPage"/>: true when installed (the generation had not moved).</summary>
    Task<bool> InstallPageAsync(string generationKey, long generation, string pageKey, byte[] entry, TimeSpan ttl);

    /// <summary>Runs <see cref="CacheScripts.Replace"/>: true when <paramref name="expected"/> was there and is now <paramref name="entry"/>.</summary>
    Task<bool> ReplaceAsync(string key, byte[] expected, byte[] entry, TimeSpan ttl);
}
