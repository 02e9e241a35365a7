using Serverless.Lambda.Events;

namespace Serverless.Lambda.Batch;

/// <summary>
/// Handles one DynamoDB stream record for <see cref="DynamoDBStreamBatchProcessor"/>. Throwing fails the record
/// (and, to keep per-item order, every later record of the batch); returning a skip never does.
/// Must be idempotent: streams deliver at least once, and a partially failed batch is retried from the failed record.
/// </summary>
public interface IDynamoDBRecordHandler
{
    ValueTask<RecordResult> HandleAsync(DynamoDBEventRecord record, CancellationToken cancellationToken);
}
