using System.Globalization;
using StackExchange.Redis;

namespace Serverless.Data.Caching;

/// <summary>
/// <see cref="ICacheStore"/> on StackExchange.Redis. The connection is made in the background and never fails a start:
/// until it is up (and whenever it is down) each call fails at once instead of queueing (<c>BacklogPolicy.FailFast</c>),
/// and <see cref="CacheGuard"/> sends the read to the table.
/// </summary>
public sealed class RedisCacheStore : ICacheStore, IDisposable
{
    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _database;

    private RedisCacheStore(ConnectionMultiplexer connection)
    {
        _connection = connection;
        _database = connection.GetDatabase();
    }

    /// <summary>Connects to <paramref name="options"/>' endpoint (in the background when it is not answering yet).</summary>
    /// <exception cref="ArgumentException">The endpoint is not a valid configuration string.</exception>
    public static RedisCacheStore Connect(CacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsEnabled)
        {
            throw new ArgumentException("Cache:Endpoint is not set.", nameof(options));
        }

        var configuration = ConfigurationOptions.Parse(options.Endpoint!);
        var timeout = (int)Math.Max(1, Math.Ceiling(options.OperationTimeout.TotalMilliseconds));
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.AsyncTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.ConnectTimeout = Math.Max(timeout, 1000);
        configuration.ConnectRetry = 1;
        // A dead server is noticed by the heartbeat and reconnected to in the background.
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        configuration.ClientName = "serverless";
        return new RedisCacheStore(ConnectionMultiplexer.Connect(configuration));
    }

    public async Task<byte[]?> GetAsync(string key) => await _database.StringGetAsync(key).ConfigureAwait(false) is { HasValue: true } value ? (byte[]?)value : null;

    public async Task<bool> InstallAsync(string key, byte[] entry, TimeSpan ttl) =>
        (long)await _database.ScriptEvaluateAsync(CacheScripts.Install, [key], [entry, Milliseconds(ttl)]).ConfigureAwait(false) == 1;

    public Task InvalidateAsync(string key, byte[] tombstone, TimeSpan ttl) =>
        _database.ScriptEvaluateAsync(CacheScripts.Invalidate, [key], [tombstone, Milliseconds(ttl)]);

    public async Task<long> GetCounterAsync(string key) =>
        await _database.StringGetAsync(key).ConfigureAwait(false) is { HasValue: true } value && long.TryParse((string?)value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    public Task IncrementAsync(string key) => _database.StringIncrementAsync(key);

    public async Task<bool> InstallPageAsync(string generationKey, long generation, string pageKey, byte[] entry, TimeSpan ttl) =>
        (long)await _database.ScriptEvaluateAsync(
            CacheScripts.InstallPage, [generationKey, pageKey], [generation.ToString(CultureInfo.InvariantCulture), entry, Milliseconds(ttl)]).ConfigureAwait(false) == 1;

    public async Task<bool> ReplaceAsync(string key, byte[] expected, byte[] entry, TimeSpan ttl) =>
        (long)await _database.ScriptEvaluateAsync(CacheScripts.Replace, [key], [expected, entry, Milliseconds(ttl)]).ConfigureAwait(false) == 1;

    public void Dispose() => _connection.Dispose();

    private static long Milliseconds(TimeSpan ttl) => Math.Max(1, (long)ttl.TotalMilliseconds);
}
