namespace Serverless.Data.Writing;

/// <summary>
/// Exponential backoff with full jitter (a uniformly random delay below an exponentially growing ceiling), so
/// parallel writers that were throttled together do not all retry at the same instant.
/// </summary>
public static class Backoff
{
    /// <param name="attempt">1 for the first retry.</param>
    /// <param name="random">Source of jitter; pass a seeded one in tests.</param>
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(random.NextDouble() * ceiling);
    }
}
