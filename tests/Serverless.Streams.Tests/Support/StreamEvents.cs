using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;
using Serverless.Lambda.Events;

namespace Serverless.Streams.Tests.Support;

/// <summary>Stream records built from items, in the shape the event source mapping delivers (for direct invocations).</summary>
internal static class StreamEvents
{
    private static long _sequence = 100_000_000_000_000_000;

    public static DynamoDBEventRecord Record(
        string eventName,
        IReadOnlyDictionary<string, AttributeValue>? oldItem,
        IReadOnlyDictionary<string, AttributeValue>? newItem,
        DateTimeOffset? at = null,
        bool timeToLive = false,
        string? eventId = null,
        string? sequenceNumber = null)
    {
        var item = newItem ?? oldItem ?? throw new ArgumentException("A record needs an image.");
        return new DynamoDBEventRecord
        {
            EventId = eventId ?? Guid.NewGuid().ToString("N"),
            EventName = eventName,
            EventVersion = "1.1",
            EventSource = "aws:dynamodb",
            AwsRegion = "us-east-1",
            EventSourceArn = "arn:aws:dynamodb:us-east-1:123456789012:table/Test/stream/2024-01-01T00:00:00.000",
            UserIdentity = timeToLive ? new DynamoDBUserIdentity { Type = "Service", PrincipalId = "dynamodb.amazonaws.com" } : null,
            Dynamodb = new DynamoDBStreamRecord
            {
                ApproximateCreationDateTime = DateTimeOffset.FromUnixTimeSeconds((at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds()),
                Keys = new Dictionary<string, DynamoDBAttributeValue>
                {
                    [Attr.PK] = ToStream(item[Attr.PK]),
                    [Attr.SK] = ToStream(item[Attr.SK]),
                },
                OldImage = oldItem is null ? null : ToStream(oldItem),
                NewImage = newItem is null ? null : ToStream(newItem),
                SequenceNumber = sequenceNumber ?? Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture),
                SizeBytes = 100,
                StreamViewType = "NEW_AND_OLD_IMAGES",
            },
        };
    }

    public static DynamoDBEvent Batch(params DynamoDBEventRecord[] records) => new() { Records = [.. records] };

    public static byte[] Payload(params DynamoDBEventRecord[] records) =>
        LambdaEventSerializer.Serialize(Batch(records), LambdaJsonContext.Default.DynamoDBEvent);

    public static Dictionary<string, DynamoDBAttributeValue> ToStream(IReadOnlyDictionary<string, AttributeValue> item) =>
        item.ToDictionary(e => e.Key, e => ToStream(e.Value), StringComparer.Ordinal);

    public static DynamoDBAttributeValue ToStream(AttributeValue value) => value switch
    {
        { S: not null } => new() { S = value.S },
        { N: not null } => new() { N = value.N },
        { B: not null } => new() { B = value.B.ToArray() },
        { SS: not null } => new() { SS = [.. value.SS] },
        { NS: not null } => new() { NS = [.. value.NS] },
        { BS: not null } => new() { BS = [.. value.BS.Select(b => b.ToArray())] },
        { M: not null } => new() { M = ToStream(value.M) },
        { L: not null } => new() { L = [.. value.L.Select(ToStream)] },
        { BOOL: not null } => new() { BOOL = value.BOOL },
        _ => new() { NULL = true },
    };
}
