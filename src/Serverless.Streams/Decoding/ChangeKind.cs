namespace Serverless.Streams.Decoding;

/// <summary>The stream's eventName: INSERT, MODIFY, REMOVE.</summary>
public enum ChangeKind
{
    /// <summary>An eventName the stream does not document; such a record is skipped, never failed.</summary>
    Unknown,
    Insert,
    Modify,
    Remove,
}
