using System.Text.Json.Serialization;

namespace Serverless.Lambda.Events;

/// <summary>
/// A DynamoDB Streams batch as the event source mapping delivers it. The window/state/shard fields are present
/// only for tumbling-window functions.
/// </summary>
public sealed class DynamoDBEvent
{
    [JsonPropertyName("Records")]
    public List<DynamoDBEventRecord> Records { get; set; } = [];

    public DynamoDBTimeWindow? Window { get; set; }
    public Dictionary<string, string>? State { get; set; }
    public string? ShardId { get; set; }

    [JsonPropertyName("eventSourceARN")]
    public string? EventSourceArn { get; set; }

    public bool? IsFinalInvokeForWindow { get; set; }
    public bool? IsWindowTerminatedEarly { get; set; }
}

public sealed class DynamoDBTimeWindow
{
    public DateTimeOffset Start { get; set; }
    public DateTimeOffset End { get; set; }
}

public sealed class DynamoDBEventRecord
{
    [JsonPropertyName("eventID")]
    public string? EventId { get; set; }

    /// <summary>INSERT, MODIFY or REMOVE.</summary>
    public string? EventName { get; set; }

    public string? EventVersion { get; set; }
    public string? EventSource { get; set; }
    public string? AwsRegion { get; set; }

    [JsonPropertyName("eventSourceARN")]
    public string? EventSourceArn { get; set; }

    /// <summary>Present for deletions made by TTL: type "Service", principalId "dynamodb.amazonaws.com".</summary>
    public DynamoDBUserIdentity? UserIdentity { get; set; }

    [JsonPropertyName("dynamodb")]
    public DynamoDBStreamRecord? Dynamodb { get; set; }
}

public sealed class DynamoDBUserIdentity
{
    public const string ServiceType = "Service";
    public const string DynamoDBPrincipal = "dynamodb.amazonaws.com";

    public string? Type { get; set; }
    public string? PrincipalId { get; set; }

    [JsonIgnore]
    public bool IsTimeToLiveDeletion => Type == ServiceType && PrincipalId == DynamoDBPrincipal;
}

public sealed class DynamoDBStreamRecord
{
    [JsonPropertyName("ApproximateCreationDateTime")]
    [JsonConverter(typeof(EpochSecondsOrMillisecondsConverter))]
    public DateTimeOffset? ApproximateCreationDateTime { get; set; }

    [JsonPropertyName("Keys")]
    public Dictionary<string, DynamoDBAttributeValue>? Keys { get; set; }

    [JsonPropertyName("NewImage")]
    public Dictionary<string, DynamoDBAttributeValue>? NewImage { get; set; }

    [JsonPropertyName("OldImage")]
    public Dictionary<string, DynamoDBAttributeValue>? OldImage { get; set; }

    /// <summary>The record's identity for <c>batchItemFailures</c>.</summary>
    [JsonPropertyName("SequenceNumber")]
    public string? SequenceNumber { get; set; }

    [JsonPropertyName("SizeBytes")]
    public long SizeBytes { get; set; }

    [JsonPropertyName("StreamViewType")]
    public string? StreamViewType { get; set; }
}
