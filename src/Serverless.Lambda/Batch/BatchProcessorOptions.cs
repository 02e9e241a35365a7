namespace Serverless.Lambda.Batch;

public sealed record BatchProcessorOptions
{
    /// <summary>
    /// Stop this long before the invocation's deadline and report the unprocessed records as failures: a partial
    /// answer lets Lambda retry only those, where a timeout would fail (and repeat) the whole batch.
    /// </summary>
    public TimeSpan DeadlineMargin { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// What the failure log line says about an exception. Only the type by default, because exception messages
    /// (validation errors, item descriptions) can carry item values and the logs must never carry PII; a function
    /// that knows its own exceptions' messages are clean can say more.
    /// </summary>
    public Func<Exception, string> DescribeError { get; init; } = static e => e.GetType().FullName ?? e.GetType().Name;

    /// <summary>
    /// Records handled at once. 1 (the default) handles the batch strictly in order. Above 1, records of different
    /// items (different <c>Keys</c>) run concurrently while the records of one item still run one after another in
    /// batch order, so each item's changes keep the order the stream gave them. Only for handlers whose records of
    /// different items are independent of each other.
    /// </summary>
    public int MaxConcurrency { get; init; } = 1;

    /// <summary>The clock a record's age (now less its <c>ApproximateCreationDateTime</c>) is measured by.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
