namespace Serverless.Streams.Decoding;

/// <summary>
/// A stream record that cannot be read as what it claims to be (an image that does not map to its entity type, a
/// missing key). Its message names attributes, record ids and entity types, never attribute values, so it is safe to log.
/// </summary>
public sealed class StreamRecordDecodingException : Exception
{
    public StreamRecordDecodingException(string message)
        : base(message)
    {
    }

    public StreamRecordDecodingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
