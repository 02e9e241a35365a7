using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Lambda.Events;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.Streams;

/// <summary>Handles one stream record; throwing marks it failed.</summary>
public delegate ValueTask DynamoDBRecordHandler(DynamoDBEventRecord record, ILambdaContext context, CancellationToken cancellationToken);

/// <summary>
/// A DynamoDB stream function from a per-record handler, answering with <c>batchItemFailures</c> (the mapping needs
/// <c>FunctionResponseTypes: [ReportBatchItemFailures]</c>). Records run in stream order; at the first failure the
/// rest of the batch is left unprocessed and reported with it, because Lambda retries a shard from its lowest failed
/// sequence number anyway and later changes to the same item must not be applied before the earlier one.
/// </summary>
public static partial class DynamoDBStreamFunction
{
    public static ILambdaFunction Create(DynamoDBRecordHandler handler, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var log = logger ?? NullLogger.Instance;
        return LambdaFunction.Create(
            LambdaJsonContext.Default.DynamoDBEvent,
            LambdaJsonContext.Default.StreamsEventResponse,
            (batch, context, cancellationToken) => ProcessAsync(batch, handler, context, log, cancellationToken));
    }

    public static async ValueTask<StreamsEventResponse> ProcessAsync(
        DynamoDBEvent batch, DynamoDBRecordHandler handler, ILambdaContext context, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(logger);
        var response = new StreamsEventResponse();
        var records = batch.Records;
        for (var i = 0; i < records.Count; i++)
        {
            try
            {
                await handler(records[i], context, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Identifiers only: the record's images hold the item's data, which may be personal.
                LogRecordFailed(logger, exception, records[i].EventId, records[i].EventName, records[i].Dynamodb?.SequenceNumber, records.Count - i);
                for (var j = i; j < records.Count; j++)
                {
                    // A record without a sequence number yields a null identifier, which Lambda takes as the whole batch failing.
                    response.BatchItemFailures.Add(new BatchItemFailure { ItemIdentifier = records[j].Dynamodb?.SequenceNumber });
                }

                break;
            }
        }

        return response;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream record {EventId} ({EventName}, sequence {SequenceNumber}) failed; {Reported} record(s) reported for retry")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string? eventId, string? eventName, string? sequenceNumber, int reported);
}
