namespace Serverless.Data.Caching;

/// <summary>
/// Keeps a failing cache from failing a request or slowing it much: every call is bounded by
/// <see cref="CacheOptions.OperationTimeout"/>, a failure or timeout answers "unavailable" (the caller then reads the
/// table) with a metric, and after <see cref="CacheOptions.FailuresToBreak"/> failures in a row the circuit opens: no
/// call for <see cref="CacheOptions.BreakDuration"/>, then one call tries again, and a success closes it. Logs name the
/// error's type only (a Redis error message can carry a key).
/// </summary>
public sealed class CacheGuard(CacheOptions options, TimeProvider time, Action<string>? log = null)
{
    private readonly Lock _gate = new();
    private int _failures;
    private long _openUntil;
    private bool _probing;
    private bool _open;

    /// <summary>True while the circuit is open (calls are skipped).</summary>
    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    /// <summary>The call's result, or <c>Ok = false</c> when the cache is unavailable (failed, too slow, or the circuit is open).</summary>
    /// <param name="evenWhenOpen">Made even while the circuit is open (a write that must land, not a read that can go to
    /// the table); its success closes the circuit as a probe's does.</param>
    public async Task<(bool Ok, T Value)> TryAsync<T>(string cache, Func<Task<T>> call, bool evenWhenOpen = false)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!evenWhenOpen && !Admit())
        {
            return (false, default!);
        }

        Task<T>? task = null;
        try
        {
            task = call();
            var value = await task.WaitAsync(options.OperationTimeout, time).ConfigureAwait(false);
            Succeeded();
            return (true, value);
        }
#pragma warning disable CA1031 // Whatever the cache throws, the request goes on without it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (task is { IsCompleted: false })
            {
                // Timed out: the call may still fail later; observe it so it is not reported as unobserved.
                _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            Failed(cache, e);
            return (false, default!);
        }
    }

    /// <inheritdoc cref="TryAsync{T}(string, Func{Task{T}}, bool)"/>
    public async Task<bool> TryAsync(string cache, Func<Task> call, bool evenWhenOpen = false)
    {
        ArgumentNullException.ThrowIfNull(call);
        var (ok, _) = await TryAsync(
            cache,
            async () =>
            {
                await call().ConfigureAwait(false);
                return true;
            },
            evenWhenOpen).ConfigureAwait(false);
        return ok;
    }

    private bool Admit()
    {
        lock (_gate)
        {
            if (!_open)
            {
                return true;
            }

            if (_probing || time.GetTimestamp() < _openUntil)
            {
                return false;
            }

            // Half open: this one call tries the cache again.
            _probing = true;
            return true;
        }
    }

    private void Succeeded()
    {
        bool closed;
        lock (_gate)
        {
            closed = _open;
            _open = false;
            _probing = false;
            _failures = 0;
        }

        if (closed)
        {
            log?.Invoke("The cache answers again: reads use it again.");
        }
    }

    private void Failed(string cache, Exception error)
    {
        CacheTelemetry.Error(cache);
        bool opened;
        bool first;
        lock (_gate)
        {
            _failures++;
            first = _failures == 1 && !_open;
            opened = !_open && _failures >= options.FailuresToBreak;
            if (_open || opened)
            {
                // A failed probe keeps it open for another break.
                _open = true;
                _probing = false;
                _openUntil = time.GetTimestamp() + (long)(options.BreakDuration.TotalSeconds * time.TimestampFrequency);
            }
        }

        var kind = error is TimeoutException ? "timed out" : "failed (" + error.GetType().Name + ")";
        if (opened)
        {
            CacheTelemetry.Opened();
            log?.Invoke($"The cache {kind} {options.FailuresToBreak} times in a row: reads and writes skip it for {options.BreakDuration.TotalSeconds:0.#} s, then try it again.");
        }
        else if (first)
        {
            log?.Invoke($"A cache call {kind}: this read goes to the table.");
        }
    }
}
