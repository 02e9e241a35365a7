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
}
