using Serverless.Data.Writing;

namespace Serverless.Streams.Denormalize;

public sealed record DenormalizeOptions
{
    /// <summary>
    /// Order updates in flight at once. A few keep a user with hundreds of orders quick without the burst
    /// throttling the table for everyone else.
    /// </summary>
    public int MaxParallelWrites { get; init; } = 4;

    /// <summary>Order ids read per Query page (the table's page limit caps it).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>Throttled reads and writes: retried with the data layer's backoff, more patiently than the SDK alone would.</summary>
    public RetryOptions Retry { get; init; } = new() { MaxAttempts = 6, BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromSeconds(2) };
}
