namespace Serverless.Lambda.Events;

/// <summary>
/// Event files saved by editors (and several of AWS's own fixtures) start with a UTF-8 byte order mark,
/// which System.Text.Json rejects when it reads from a span.
/// </summary>
public static class Utf8Bom
{
    public static ReadOnlySpan<byte> Skip(ReadOnlySpan<byte> utf8) =>
        utf8.StartsWith("\uFEFF"u8) ? utf8[3..] : utf8;

    public static ReadOnlyMemory<byte> Skip(ReadOnlyMemory<byte> utf8) =>
        utf8.Span.StartsWith("\uFEFF"u8) ? utf8[3..] : utf8;
}
