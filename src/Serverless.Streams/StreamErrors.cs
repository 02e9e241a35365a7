using Amazon.Runtime;
using Serverless.Domain;
using Serverless.Streams.Decoding;

namespace Serverless.Streams;

/// <summary>
/// What a failed record's log line may say about its error. Our decoding errors are written to name attributes and
/// ids only; AWS errors are described by code and status; validation errors by field names. Any other message
/// (an item description can quote an email) is left out, because the logs must never carry PII.
/// </summary>
internal static class StreamErrors
{
    public static string Describe(Exception exception) => exception switch
    {
        StreamRecordDecodingException e => $"{nameof(StreamRecordDecodingException)}: {e.Message}",
        AmazonServiceException e => $"{e.GetType().Name} (code {e.ErrorCode}, HTTP {(int)e.StatusCode})",
        ValidationException e => $"{nameof(ValidationException)} on {string.Join(", ", e.Errors.Select(f => f.Field).Distinct(StringComparer.Ordinal))}",
        OperationCanceledException => "cancelled before the invocation's deadline",
        _ => exception.GetType().FullName ?? exception.GetType().Name,
    };
}
