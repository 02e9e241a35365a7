namespace Serverless.Data.Writing;

public sealed record BatchWriteOptions
{
    /// <summary>DynamoDB's limit of put/delete requests in one BatchWriteItem.</summary>
    public const int MaxBatchSize = 25;

    /// <summary>BatchWriteItem calls in flight at once.</summary>
    public int Parallelism { get; init; } = 8;

    /// <summary>Rounds of retrying UnprocessedItems before giving up (the table is throttling beyond recovery).</summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>First backoff ceiling; doubled each round up to <see cref="MaxBackoff"/> (full jitter below it).</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    public void Validate()
    {
        if (Parallelism is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, "Parallelism must be between 1 and 256.");
        }

        if (MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts must be at least 1.");
        }
    }
}
