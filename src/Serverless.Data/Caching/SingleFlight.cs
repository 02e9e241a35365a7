using System.Collections.Concurrent;

namespace Serverless.Data.Caching;

/// <summary>
/// One load per key at a time: callers asking for a key whose load is under way wait for that load instead of starting
/// their own. The load runs to its end even when a waiting caller gives up (its cancellation ends only its wait).
/// </summary>
public sealed class SingleFlight<T>
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> _flights = new(StringComparer.Ordinal);

    /// <summary>Loads under way (for tests).</summary>
    public int Count => _flights.Count;

    public Task<T> RunAsync(string key, Func<Task<T>> load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        Lazy<Task<T>>? mine = null;
        mine = new Lazy<Task<T>>(() => RunAndForgetAsync(key, load, mine!), LazyThreadSafetyMode.ExecutionAndPublication);
        return _flights.GetOrAdd(key, mine).Value.WaitAsync(cancellationToken);
    }

    private async Task<T> RunAndForgetAsync(string key, Func<Task<T>> load, Lazy<Task<T>> flight)
    {
        try
        {
            // Off the caller's stack: the first caller's context and cancellation do not become everyone's.
            await Task.Yield();
            return await load().ConfigureAwait(false);
        }
        finally
        {
            _flights.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, flight));
        }
    }
}
