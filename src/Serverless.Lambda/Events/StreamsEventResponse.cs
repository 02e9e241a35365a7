namespace Serverless.Lambda.Events;

/// <summary>
/// Partial batch response for stream event sources (needs <c>ReportBatchItemFailures</c> on the mapping).
/// An empty list means the whole batch succeeded; for streams, Lambda retries from the lowest reported
/// sequence number.
/// </summary>
public sealed class StreamsEventResponse
{
    public List<BatchItemFailure> BatchItemFailures { get; set; } = [];
}

public sealed class BatchItemFailure
{
    /// <summary>For DynamoDB streams, the record's <c>dynamodb.SequenceNumber</c>.</summary>
    public string? ItemIdentifier { get; set; }
}
