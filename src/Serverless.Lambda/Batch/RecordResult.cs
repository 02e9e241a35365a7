namespace Serverless.Lambda.Batch;

/// <summary>What a record handler did with one record. Failure is not a result: a handler throws.</summary>
public enum RecordOutcome
{
    /// <summary>The record was handled (including "handled before": a replay that changed nothing).</summary>
    Processed,

    /// <summary>The record is not this function's business (another entity type, an event it does not act on).</summary>
    Ignored,

    /// <summary>The record is of a kind the function does not know (e.g. an unknown entity type): skipped, logged as a warning.</summary>
    Unrecognized,
}

/// <summary>
/// The result of one record. Skipping is a result rather than an exception so a record the function does not handle
/// can never be reported in <c>batchItemFailures</c> and block the shard.
/// </summary>
public readonly record struct RecordResult(RecordOutcome Outcome, string? Reason)
{
    public static RecordResult Processed { get; } = new(RecordOutcome.Processed, null);

    /// <param name="reason">Why; logged, so it must never carry item values (PII).</param>
    public static RecordResult Ignored(string reason) => new(RecordOutcome.Ignored, reason);

    /// <param name="reason">Why; logged, so it must never carry item values (PII).</param>
    public static RecordResult Unrecognized(string reason) => new(RecordOutcome.Unrecognized, reason);
}
