using Serverless.Data.Client;

namespace Serverless.Api.Infrastructure.Data;

/// <summary>The slow-operation line: a DynamoDB call over the threshold, by its shape (names and counts, never a value).</summary>
internal static class SlowOperationLog
{
    private static readonly EventId Event = new(DynamoDbOperation.LogEventId, DynamoDbOperation.LogEventName);

    public static void Write(ILogger logger, DynamoDbOperation operation) =>
        logger.Log(LogLevel.Warning, Event, operation.LogState(), null, static (state, _) => state.ToString()!);
}
