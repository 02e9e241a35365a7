using Serverless.Lambda.Events;

namespace Serverless.Lambda.Batch;

public static class DynamoDBRecordHandler
{
    /// <summary>A handler from a delegate, for small functions and tests.</summary>
    public static IDynamoDBRecordHandler From(Func<DynamoDBEventRecord, CancellationToken, ValueTask<RecordResult>> handle) =>
        new DelegateHandler(handle ?? throw new ArgumentNullException(nameof(handle)));

    private sealed class DelegateHandler(Func<DynamoDBEventRecord, CancellationToken, ValueTask<RecordResult>> handle) : IDynamoDBRecordHandler
    {
        public ValueTask<RecordResult> HandleAsync(DynamoDBEventRecord record, CancellationToken cancellationToken) => handle(record, cancellationToken);
    }
}
