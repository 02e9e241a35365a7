using Serverless.Data.Writing;

namespace Serverless.Streams.Denormalize;

public sealed record DenormalizeOptions
{
    /// <summary>
    /// BatchExecuteStatement calls in flight at once, each of up to 25 order updates. Four: up to 100 writes in
    /// flight, one Query page's worth, so a user with a thousand orders is done in about ten round trips; more would
    /// mostly move the burst onto the table (a partition takes 1,000 writes a second, and every other writer shares it),
    /// and several users' records already run side by side (the function's record concurrency).
    /// </summary>
    public int MaxParallelWrites { get; init; } = 4;

    /// <summary>Order ids read per Query page (the table's page limit caps it).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>
    /// Throttled reads and writes: retried with the data layer's backoff, more patiently than the SDK alone would; a
    /// throttled statement of a batch is sent again alone with the others still to do.
    /// </summary>
    public RetryOptions Retry { get; init; } = new() { MaxAttempts = 6, BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromSeconds(2) };
}
