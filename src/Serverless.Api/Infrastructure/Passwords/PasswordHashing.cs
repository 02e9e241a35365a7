using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
using Serverless.Domain.Security;

namespace Serverless.Api.Infrastructure.Passwords;

/// <summary>
/// The API's one way to hash a password: <see cref="PasswordHasher"/> behind a concurrency limiter (see
/// <see cref="PasswordHashingOptions"/>), so the deliberately slow hash cannot take every core from other requests.
/// </summary>
public sealed class PasswordHashing : IDisposable
{
    private readonly PasswordHashingOptions _options;
    private readonly TimeProvider _time;

    // The last hashes' duration (moving average, in ticks): what a queued request can expect to wait per hash ahead.
    private long _averageTicks = TimeSpan.FromMilliseconds(500).Ticks;

    public PasswordHashing(IOptions<PasswordHashingOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        Limiter = _options.Limit
            ? new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = _options.EffectiveMaxConcurrent,
                QueueLimit = _options.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            })
            : null;
    }

    /// <summary>The limiter, or null when the limit is off (tests hold its permits to fill it deterministically).</summary>
    internal ConcurrencyLimiter? Limiter { get; }

    /// <exception cref="ApiProblemException">503 with Retry-After when the queue is full or the wait ran out.</exception>
    public async Task<string> HashAsync(string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (Limiter is null)
        {
            return Hash(password);
        }

        using var lease = await AcquireAsync(Limiter, cancellationToken);
        return Hash(password);
    }

    public void Dispose() => Limiter?.Dispose();

    private async Task<RateLimitLease> AcquireAsync(ConcurrencyLimiter limiter, CancellationToken cancellationToken)
    {
        using var wait = new CancellationTokenSource(_options.QueueTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, cancellationToken);
        RateLimitLease lease;
        try
        {
            lease = await limiter.AcquireAsync(1, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Busy(limiter);
        }

        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw Busy(limiter);
        }

        return lease;
    }

    private string Hash(string password)
    {
        var start = Stopwatch.GetTimestamp();
        var hash = PasswordHasher.Hash(password, _options.Iterations);
        var took = Stopwatch.GetElapsedTime(start).Ticks;
        // Racy on purpose: an estimate for Retry-After, not an account.
        Interlocked.Exchange(ref _averageTicks, (Interlocked.Read(ref _averageTicks) * 7 + took) / 8);
        return hash;
    }

    private ApiProblemException Busy(ConcurrencyLimiter limiter)
    {
        // Everything queued, and one more, shared among the hashes that run at once.
        var ahead = (limiter.GetStatistics()?.CurrentQueuedCount ?? 0) + 1;
        var seconds = Math.Max(1, (int)Math.Ceiling(TimeSpan.FromTicks(Interlocked.Read(ref _averageTicks)).TotalSeconds * ahead / _options.EffectiveMaxConcurrent));
        return new ApiProblemException(
            StatusCodes.Status503ServiceUnavailable,
            "Service unavailable",
            string.Create(
                CultureInfo.InvariantCulture,
                $"Too many passwords are being hashed on this server at once; nothing was written. Retry in {seconds} s (Retry-After)."))
        {
            RetryAfter = TimeSpan.FromSeconds(seconds),
        };
    }
}
