using Microsoft.Extensions.Logging;
using Serverless.Data.Client;
using Serverless.Lambda.Batch;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Metrics;
using Serverless.Lambda.Runtime;

namespace Serverless.Streams;

/// <summary>
/// A stream function's cost per batch: the DynamoDB capacity its records' handling consumed, summed over the batch into
/// one line (<c>BatchSummary</c>, with <c>read_capacity</c>, <c>write_capacity</c> and <c>dynamodb_calls</c>) and two
/// metrics; and the data layer's metric dimensions, declared so the function's DynamoDB metrics are admitted.
/// </summary>
internal sealed partial class StreamTelemetry(ILambdaFunction inner, ILogger logger) : ILambdaFunction, IMetricDimensionSource
{

    public IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> MetricDimensions => DynamoDbTelemetry.MetricDimensions;

    public async ValueTask<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
    {
        using var cost = ConsumedCapacityScope.Begin();
        try
        {
            return await inner.InvokeAsync(payload, context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (cost.ReadCapacityUnits > 0)
            {
                InvocationMetrics.Add(StreamMetricNames.BatchConsumedReadCapacity, MetricUnit.Count, cost.ReadCapacityUnits);
            }

            if (cost.WriteCapacityUnits > 0)
            {
                InvocationMetrics.Add(StreamMetricNames.BatchConsumedWriteCapacity, MetricUnit.Count, cost.WriteCapacityUnits);
            }

            LogCost(logger, cost.Calls, Math.Round(cost.ReadCapacityUnits, 3), Math.Round(cost.WriteCapacityUnits, 3));
        }
    }

    /// <summary>The slow-operation line of a stream function's client.</summary>
    public static void WriteSlowOperation(ILogger logger, DynamoDbOperation operation) =>
        logger.Log(LogLevel.Warning, SlowOperationEvent, operation.LogState(), null, static (state, _) => state.ToString()!);

    private static readonly EventId SlowOperationEvent = new(DynamoDbOperation.LogEventId, DynamoDbOperation.LogEventName);

    [LoggerMessage(
        EventId = 9003,
        EventName = LambdaJsonLoggerOptions.BatchSummaryEvent,
        Level = LogLevel.Information,
        Message = "Batch cost: {dynamodb_calls} DynamoDB calls, {read_capacity} RCU, {write_capacity} WCU")]
    private static partial void LogCost(ILogger logger, int dynamodb_calls, double read_capacity, double write_capacity);
}
