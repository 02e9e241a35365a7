using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Local.Streams;

// Wire models of the DynamoDB Streams JSON API (2012-08-10). Attribute values stay raw JsonElements: the emulator
// forwards them to functions byte for byte, exactly as the service's event source mapping does.

public sealed record ListStreamsRequest
{
    public string? TableName { get; init; }

    public int? Limit { get; init; }

    public string? ExclusiveStartStreamArn { get; init; }
}

public sealed record ListStreamsResponse
{
    public IReadOnlyList<StreamSummary> Streams { get; init; } = [];

    public string? LastEvaluatedStreamArn { get; init; }
}

public sealed record StreamSummary
{
    public string StreamArn { get; init; } = "";

    public string? TableName { get; init; }

    public string? StreamLabel { get; init; }
}

public sealed record DescribeStreamRequest
{
    public required string StreamArn { get; init; }

    public int? Limit { get; init; }

    public string? ExclusiveStartShardId { get; init; }
}

public sealed record DescribeStreamResponse
{
    public StreamDescription StreamDescription { get; init; } = new();
}

public sealed record StreamDescription
{
    public string StreamArn { get; init; } = "";

    public string? StreamLabel { get; init; }

    public string? StreamStatus { get; init; }

    public string? StreamViewType { get; init; }

    public string? TableName { get; init; }

    public IReadOnlyList<Shard> Shards { get; init; } = [];

    public string? LastEvaluatedShardId { get; init; }
}

public sealed record Shard
{
    public string ShardId { get; init; } = "";

    public string? ParentShardId { get; init; }

    public SequenceNumberRange? SequenceNumberRange { get; init; }

    /// <summary>A shard with an ending sequence number takes no more records.</summary>
    [JsonIgnore]
    public bool IsClosed => SequenceNumberRange?.EndingSequenceNumber is not null;
}

public sealed record SequenceNumberRange
{
    public string? StartingSequenceNumber { get; init; }

    public string? EndingSequenceNumber { get; init; }
}

public static class ShardIteratorType
{
    public const string TrimHorizon = "TRIM_HORIZON";
    public const string Latest = "LATEST";
    public const string AtSequenceNumber = "AT_SEQUENCE_NUMBER";
    public const string AfterSequenceNumber = "AFTER_SEQUENCE_NUMBER";
}

public sealed record GetShardIteratorRequest
{
    public required string StreamArn { get; init; }

    public required string ShardId { get; init; }

    public required string ShardIteratorType { get; init; }

    public string? SequenceNumber { get; init; }
}

public sealed record GetShardIteratorResponse
{
    public string? ShardIterator { get; init; }
}

public sealed record GetRecordsRequest
{
    public required string ShardIterator { get; init; }

    public int? Limit { get; init; }
}

public sealed record GetRecordsResponse
{
    public IReadOnlyList<StreamRecord> Records { get; init; } = [];

    /// <summary>Null once a closed shard has been read to its end.</summary>
    public string? NextShardIterator { get; init; }
}

public sealed record StreamRecord
{
    [JsonPropertyName("eventID")]
    public string? EventId { get; init; }

    [JsonPropertyName("eventName")]
    public string? EventName { get; init; }

    [JsonPropertyName("eventVersion")]
    public string? EventVersion { get; init; }

    [JsonPropertyName("eventSource")]
    public string? EventSource { get; init; }

    [JsonPropertyName("awsRegion")]
    public string? AwsRegion { get; init; }

    [JsonPropertyName("dynamodb")]
    public StreamRecordData Dynamodb { get; init; } = new();

    [JsonPropertyName("userIdentity")]
    public StreamUserIdentity? UserIdentity { get; init; }
}

public sealed record StreamRecordData
{
    /// <summary>Epoch seconds; the API sends a JSON number that may carry a fraction or an exponent.</summary>
    public double? ApproximateCreationDateTime { get; init; }

    public JsonElement? Keys { get; init; }

    public JsonElement? NewImage { get; init; }

    public JsonElement? OldImage { get; init; }

    public string SequenceNumber { get; init; } = "";

    public long? SizeBytes { get; init; }

    public string? StreamViewType { get; init; }
}

/// <summary>The API names these PrincipalId and Type (Pascal case); the Lambda event spells them principalId and type.</summary>
public sealed record StreamUserIdentity
{
    public string? PrincipalId { get; init; }

    public string? Type { get; init; }
}

internal sealed record StreamsErrorResponse
{
    [JsonPropertyName("__type")]
    public string? Type { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    // Some services (and DynamoDB Local for a few errors) capitalise it.
    [JsonPropertyName("Message")]
    public string? MessageCapitalised { get; init; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(ListStreamsRequest))]
[JsonSerializable(typeof(ListStreamsResponse))]
[JsonSerializable(typeof(DescribeStreamRequest))]
[JsonSerializable(typeof(DescribeStreamResponse))]
[JsonSerializable(typeof(GetShardIteratorRequest))]
[JsonSerializable(typeof(GetShardIteratorResponse))]
[JsonSerializable(typeof(GetRecordsRequest))]
[JsonSerializable(typeof(GetRecordsResponse))]
[JsonSerializable(typeof(StreamsErrorResponse))]
internal sealed partial class StreamsJsonContext : JsonSerializerContext;
