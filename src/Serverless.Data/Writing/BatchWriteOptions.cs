namespace Serverless.Data.Writing;

public sealed record BatchWriteOptions
{
    /// <summary>DynamoDB's limit of put/delete requests in one BatchWriteItem.</summary>
    public const int MaxBatchSize = 25;

    /// <summary>BatchWriteItem calls in flight at once.</summary>
    public int Parallelism { get; init; } = 8;

    /// <summary>Rounds of sending again what DynamoDB left unprocessed (throttling), the first call included.</summary>
    public RetryOptions Retry { get; init; } = new() { MaxAttempts = 10 };

    public void Validate()
    {
        if (Parallelism is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, "Parallelism must be between 1 and 256.");
        }

        ArgumentNullException.ThrowIfNull(Retry);
        Retry.Validate();
    }
}
