using System.Diagnostics;
using System.Globalization;

namespace Serverless.Testing;

/// <summary>
/// Waits for what happens asynchronously (a stream function, a background loop, a child process, a queue filling)
/// by polling with a deadline instead of sleeping a fixed time. A wait that runs out throws a
/// <see cref="TimeoutException"/> that says what was awaited, for how long, and (where the caller says how) what
/// was last seen.
/// </summary>
public static class Eventually
{
    /// <summary>Generous on purpose: a shared machine under load, and a stream read through DynamoDB Local.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> holds; <paramref name="what"/> completes "waiting until ...".</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken ct, TimeSpan? timeout = null, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), done => done, what, ct, timeout, interval);

    /// <summary>Waits until <paramref name="condition"/> holds; <paramref name="what"/> completes "waiting until ...".</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, string what, CancellationToken ct, TimeSpan? timeout = null, TimeSpan? interval = null) =>
        UntilAsync(condition, done => done, what, ct, timeout, interval);

    /// <summary>
    /// Reads a value until <paramref name="done"/> accepts it, and returns that value. On timeout the message ends with
    /// <paramref name="detail"/> of the last value read, when given.
    /// </summary>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> read,
        Func<T, bool> done,
        string what,
        CancellationToken ct,
        TimeSpan? timeout = null,
        TimeSpan? interval = null,
        Func<T, string>? detail = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (waited.Elapsed > limit)
            {
                throw new TimeoutException(TimedOut(what, limit, detail?.Invoke(value)));
            }

            await Task.Delay(interval ?? DefaultInterval, ct);
        }
    }

    private static string TimedOut(string what, TimeSpan limit, string? detail)
    {
        var message = string.Create(CultureInfo.InvariantCulture, $"Timed out after {limit.TotalSeconds:0.###} s waiting until {what}.");
        return detail is null ? message : message + "\n" + detail;
    }
}
