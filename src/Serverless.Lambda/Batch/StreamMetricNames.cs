namespace Serverless.Lambda.Batch;

/// <summary>The metrics a stream batch writes (docs/observability.md lists them with the template's alarms on them).</summary>
public static class StreamMetricNames
{
    public const string BatchSize = "StreamBatchSize";
    public const string RecordsProcessed = "StreamRecordsProcessed";
    public const string BatchItemFailures = "StreamBatchItemFailures";
    public const string RecordAge = "StreamRecordAge";

    /// <summary>The DynamoDB capacity a batch's handling consumed (the stream functions' cost per batch).</summary>
    public const string BatchConsumedReadCapacity = "BatchConsumedReadCapacity";
    public const string BatchConsumedWriteCapacity = "BatchConsumedWriteCapacity";
}
