using Serverless.Data;
using Serverless.Streams.Decoding;

namespace Serverless.Streams;

/// <summary>
/// What a failed record's log line may say about its error: our decoding errors are written to name attributes and
/// ids only, so their message is kept; anything else is described by <see cref="ErrorLog"/>, which leaves out
/// messages that can quote an item's key or values (an email), because the logs must never carry PII.
/// </summary>
internal static class StreamErrors
{
    public static string Describe(Exception exception) => exception switch
    {
        StreamRecordDecodingException e => $"{nameof(StreamRecordDecodingException)}: {e.Message}",
        Cache.CacheUnavailableException e => $"{nameof(Cache.CacheUnavailableException)}: {e.Message}",
        _ => ErrorLog.Describe(exception),
    };
}
