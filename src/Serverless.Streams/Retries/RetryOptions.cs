namespace Serverless.Streams.Retries;

/// <summary>Backoff for throttled writes: exponential with full jitter, bounded in attempts and in each pause.</summary>
public sealed record RetryOptions
{
    /// <summary>Attempts in all (first try included); the last failure is thrown and fails the record.</summary>
    public int MaxAttempts { get; init; } = 6;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);
}
