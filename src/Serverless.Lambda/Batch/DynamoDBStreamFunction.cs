using Microsoft.Extensions.Logging;
using Serverless.Lambda.Events;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.Batch;

/// <summary>A stream function: the DynamoDB batch in, <c>batchItemFailures</c> out, one record at a time through a handler.</summary>
public static class DynamoDBStreamFunction
{
    public static ILambdaFunction Create(IDynamoDBRecordHandler handler, ILogger logger, BatchProcessorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var processor = new DynamoDBStreamBatchProcessor(logger, options);
        return LambdaFunction.Create(
            LambdaJsonContext.Default.DynamoDBEvent,
            LambdaJsonContext.Default.StreamsEventResponse,
            (streamEvent, context, cancellationToken) => processor.ProcessAsync(streamEvent, handler, context, cancellationToken));
    }
}
