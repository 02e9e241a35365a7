using System.Net;

namespace Serverless.Local.Streams;

/// <summary>An error answer of the Streams API: <see cref="ErrorCode"/> is the <c>__type</c> without its namespace.</summary>
public class DynamoDbStreamsException : Exception
{
    public DynamoDbStreamsException()
    {
        ErrorCode = "Unknown";
    }

    public DynamoDbStreamsException(string message)
        : base(message)
    {
        ErrorCode = "Unknown";
    }

    public DynamoDbStreamsException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = "Unknown";
    }

    public DynamoDbStreamsException(string errorCode, string message, HttpStatusCode statusCode)
        : base($"{errorCode}: {message}")
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
    }

    public string ErrorCode { get; }

    public HttpStatusCode StatusCode { get; }

    /// <summary>Throttling and server faults: worth trying again after a pause.</summary>
    public bool IsRetryable => (int)StatusCode >= 500 || ErrorCode is "LimitExceededException" or "ThrottlingException" or "ProvisionedThroughputExceededException";

    internal static DynamoDbStreamsException Create(string? type, string? message, HttpStatusCode status)
    {
        // "com.amazonaws.dynamodb.v20120810#ExpiredIteratorException" -> "ExpiredIteratorException"
        var code = type is null ? $"Http{(int)status}" : type[(type.LastIndexOf('#') + 1)..];
        message ??= status.ToString();
        return code switch
        {
            ExpiredIteratorException.Code => new ExpiredIteratorException(message, status),
            TrimmedDataAccessException.Code => new TrimmedDataAccessException(message, status),
            StreamResourceNotFoundException.Code => new StreamResourceNotFoundException(message, status),
            _ => new DynamoDbStreamsException(code, message, status),
        };
    }
}

/// <summary>A shard iterator is older than 15 minutes (or was used after it was superseded): get a new one.</summary>
public sealed class ExpiredIteratorException : DynamoDbStreamsException
{
    public const string Code = "ExpiredIteratorException";

    public ExpiredIteratorException(string message, HttpStatusCode statusCode)
        : base(Code, message, statusCode)
    {
    }
}

/// <summary>The records asked for are past the stream's 24-hour retention.</summary>
public sealed class TrimmedDataAccessException : DynamoDbStreamsException
{
    public const string Code = "TrimmedDataAccessException";

    public TrimmedDataAccessException(string message, HttpStatusCode statusCode)
        : base(Code, message, statusCode)
    {
    }
}

/// <summary>The stream or shard does not exist (the AWS error code is ResourceNotFoundException).</summary>
public sealed class StreamResourceNotFoundException : DynamoDbStreamsException
{
    public const string Code = "ResourceNotFoundException";

    public StreamResourceNotFoundException(string message, HttpStatusCode statusCode)
        : base(Code, message, statusCode)
    {
    }
}
