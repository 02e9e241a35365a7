using System.Globalization;
using System.Text;

namespace Serverless.Data.Caching;

/// <summary>What a cache key holds (the first byte of its value).</summary>
public enum CacheEntryKind
{
    /// <summary>An item as stored, at a version.</summary>
    Value = 'V',

    /// <summary>A write's mark: the item is at least at this version; nothing older may be installed until it expires.</summary>
    Tombstone = 'T',

    /// <summary>"No such item": a short-lived answer that spares the table a flood of lookups for what is not there.</summary>
    Negative = 'N',

    /// <summary>An email's pointer to its user's id (verified against the user item on every use).</summary>
    Pointer = 'P',
}

/// <summary>
/// One cached value: <c>kind|version|owner|expiresAtMs|loadMs|</c> then the payload. The header is ASCII so the
/// scripts in Redis (<see cref="CacheScripts"/>) can compare versions and owners without knowing the payload, which is
/// an item as stored (<see cref="ItemCodec"/>), a page, or nothing. <c>owner</c> is the user id the entry is about
/// (<c>-</c> for none); <c>loadMs</c> is how long the load took, for the early refresh.
/// </summary>
public sealed record CacheEntry(CacheEntryKind Kind, long Version, string Owner, long ExpiresAtMs, long LoadMs, ReadOnlyMemory<byte> Payload)
{
    public const string NoOwner = "-";

    public byte[] Encode()
    {
        var header = string.Create(CultureInfo.InvariantCulture, $"{(char)Kind}|{Version}|{Owner}|{ExpiresAtMs}|{LoadMs}|");
        var bytes = new byte[Encoding.ASCII.GetByteCount(header) + Payload.Length];
        var written = Encoding.ASCII.GetBytes(header, bytes);
        Payload.Span.CopyTo(bytes.AsSpan(written));
        return bytes;
    }

    /// <exception cref="FormatException">Not a value this cache wrote.</exception>
    public static CacheEntry Decode(ReadOnlyMemory<byte> value)
    {
        var span = value.Span;
        Span<Range> fields = stackalloc Range[5];
        var at = 0;
        for (var i = 0; i < fields.Length; i++)
        {
            var end = span[at..].IndexOf((byte)'|');
            if (end < 0)
            {
                throw new FormatException("The cached value has no header.");
            }

            fields[i] = new Range(at, at + end);
            at += end + 1;
        }

        if (span[fields[0]].Length != 1 || !Enum.IsDefined((CacheEntryKind)span[fields[0]][0]))
        {
            throw new FormatException("The cached value has an unknown kind.");
        }

        return new CacheEntry(
            (CacheEntryKind)span[fields[0]][0],
            Number(span[fields[1]]),
            Encoding.ASCII.GetString(span[fields[2]]),
            Number(span[fields[3]]),
            Number(span[fields[4]]),
            value[at..]);
    }

    private static long Number(ReadOnlySpan<byte> digits) =>
        long.TryParse(Encoding.ASCII.GetString(digits), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException("The cached value has a malformed header.");
}
