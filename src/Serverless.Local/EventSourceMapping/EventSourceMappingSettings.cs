namespace Serverless.Local.EventSourceMapping;

/// <summary>
/// One DynamoDB event of one function, with Lambda's defaults for what the template leaves out
/// (BatchSize 100, no batching window, retries and record age unlimited, no bisect).
/// </summary>
public sealed record EventSourceMappingSettings
{
    /// <summary>The function's logical id in the template (e.g. AuditFunction).</summary>
    public required string FunctionName { get; init; }

    /// <summary>The event's name under the function's Events.</summary>
    public string EventName { get; init; } = "Stream";

    /// <summary>The function's Handler (its own, else Globals.Function.Handler).</summary>
    public string? Handler { get; init; }

    /// <summary>The logical id of the table whose stream feeds the function (from !GetAtt Table.StreamArn), when the template says.</summary>
    public string? TableLogicalId { get; init; }

    /// <summary>The table's name when the template states one the loader can resolve; null leaves it to the caller.</summary>
    public string? TableName { get; init; }

    /// <summary>A literal stream ARN, when the template gives one instead of a reference.</summary>
    public string? StreamArn { get; init; }

    public StartingPosition StartingPosition { get; init; } = StartingPosition.TrimHorizon;

    public int BatchSize { get; init; } = 100;

    public TimeSpan MaximumBatchingWindow { get; init; } = TimeSpan.Zero;

    /// <summary>Any one matching pattern lets a record through; none means no filtering.</summary>
    public IReadOnlyList<FilterPattern> Filters { get; init; } = [];

    public bool ReportBatchItemFailures { get; init; }

    public bool BisectBatchOnFunctionError { get; init; }

    /// <summary>-1: retry until the record expires from the stream.</summary>
    public int MaximumRetryAttempts { get; init; } = -1;

    /// <summary>-1: no limit.</summary>
    public int MaximumRecordAgeInSeconds { get; init; } = -1;

    /// <summary>The on-failure destination as the template names it (a logical id or an ARN); null when none.</summary>
    public string? OnFailureDestination { get; init; }

    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Batches of one shard in flight at once (1 to 10), as Lambda runs them: records are spread over that many lanes by
    /// their partition key, so records of one item stay in order in one lane while other items' batches run beside it.
    /// </summary>
    public int ParallelizationFactor { get; init; } = 1;
}

public enum StartingPosition
{
    TrimHorizon,
    Latest,
}
