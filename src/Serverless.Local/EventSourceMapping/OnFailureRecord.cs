using System.Text.Json.Serialization;

namespace Serverless.Local.EventSourceMapping;

/// <summary>
/// What Lambda sends to a stream mapping's on-failure destination when it gives a batch up: metadata only, no record
/// payloads (see dynamoStreamLambdaInvocationEvent.json).
/// </summary>
public sealed record OnFailureRecord
{
    [JsonPropertyName("requestContext")]
    public required OnFailureRequestContext RequestContext { get; init; }

    [JsonPropertyName("responseContext")]
    public required OnFailureResponseContext ResponseContext { get; init; }

    [JsonPropertyName("version")]
    public string Version { get; init; } = "1.0";

    [JsonPropertyName("timestamp")]
    public required string Timestamp { get; init; }

    [JsonPropertyName("DDBStreamBatchInfo")]
    public required DdbStreamBatchInfo DdbStreamBatchInfo { get; init; }
}

public sealed record OnFailureRequestContext
{
    [JsonPropertyName("requestId")]
    public required string RequestId { get; init; }

    [JsonPropertyName("functionArn")]
    public required string FunctionArn { get; init; }

    /// <summary>RetryAttemptsExhausted or RecordAgeExceeded.</summary>
    [JsonPropertyName("condition")]
    public required string Condition { get; init; }

    [JsonPropertyName("approximateInvokeCount")]
    public int ApproximateInvokeCount { get; init; }
}

public sealed record OnFailureResponseContext
{
    [JsonPropertyName("statusCode")]
    public int StatusCode { get; init; } = 200;

    [JsonPropertyName("executedVersion")]
    public string ExecutedVersion { get; init; } = "$LATEST";

    /// <summary>"Unhandled" when the last invocation threw; absent when it answered (e.g. with batchItemFailures).</summary>
    [JsonPropertyName("functionError")]
    public string? FunctionError { get; init; }
}

public sealed record DdbStreamBatchInfo
{
    [JsonPropertyName("shardId")]
    public required string ShardId { get; init; }

    [JsonPropertyName("startSequenceNumber")]
    public required string StartSequenceNumber { get; init; }

    [JsonPropertyName("endSequenceNumber")]
    public required string EndSequenceNumber { get; init; }

    [JsonPropertyName("approximateArrivalOfFirstRecord")]
    public string? ApproximateArrivalOfFirstRecord { get; init; }

    [JsonPropertyName("approximateArrivalOfLastRecord")]
    public string? ApproximateArrivalOfLastRecord { get; init; }

    [JsonPropertyName("batchSize")]
    public int BatchSize { get; init; }

    [JsonPropertyName("streamArn")]
    public required string StreamArn { get; init; }
}

public static class OnFailureConditions
{
    public const string RetryAttemptsExhausted = "RetryAttemptsExhausted";
    public const string RecordAgeExceeded = "RecordAgeExceeded";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OnFailureRecord))]
[JsonSerializable(typeof(BatchItemFailuresResponse))]
internal sealed partial class EventSourceMappingJsonContext : JsonSerializerContext;
