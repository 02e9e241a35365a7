namespace Serverless.Data.Writing;

/// <summary>
/// How one kind of call is retried: attempts in all (the first included) and the ceiling of the jittered delay
/// before each retry, <see cref="BaseDelay"/> doubled per retry up to <see cref="MaxDelay"/> (see <see cref="Retries"/>).
/// </summary>
public sealed record RetryOptions
{
    public int MaxAttempts { get; init; } = 8;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <exception cref="ArgumentOutOfRangeException">No attempt, or delays that are negative or out of order.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, BaseDelay);
    }
}
