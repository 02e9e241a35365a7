namespace Serverless.Lambda.Tracing;

/// <summary>
/// An X-Ray trace header as Lambda hands it to the runtime (<c>Lambda-Runtime-Trace-Id</c>, then
/// <c>_X_AMZN_TRACE_ID</c>): <c>Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1</c>, fields in
/// any order, others (<c>Lineage</c>, ...) ignored. <see cref="Parent"/> is the id of the segment Lambda writes for the
/// function; a subsegment sent on its own names it as its parent.
/// </summary>
public sealed record TraceHeader(string? Root, string? Parent, bool? Sampled)
{
    /// <summary>The header's fields; a missing or empty header has none.</summary>
    public static TraceHeader Parse(string? header)
    {
        string? root = null, parent = null;
        bool? sampled = null;
        foreach (var part in (header ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var value = part[(equals + 1)..];
            switch (part[..equals])
            {
                case "Root":
                    root = IsTraceId(value) ? value : null;
                    break;
                case "Parent":
                    parent = IsSegmentId(value) ? value : null;
                    break;
                case "Sampled":
                    sampled = value switch { "1" => true, "0" => false, _ => null };
                    break;
            }
        }

        return new TraceHeader(root, parent, sampled);
    }

    /// <summary>A subsegment can be sent: the trace is sampled and the header names both the trace and the function's segment.</summary>
    public bool CanRecord => Sampled == true && Root is not null && Parent is not null;

    /// <summary><c>1-</c>, 8 hex digits (the epoch seconds), <c>-</c>, 24 hex digits.</summary>
    internal static bool IsTraceId(string value) =>
        value.Length == 35 && value.StartsWith("1-", StringComparison.Ordinal) && value[10] == '-'
        && IsHex(value.AsSpan(2, 8)) && IsHex(value.AsSpan(11, 24));

    /// <summary>16 hex digits.</summary>
    internal static bool IsSegmentId(string value) => value.Length == 16 && IsHex(value);

    private static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
