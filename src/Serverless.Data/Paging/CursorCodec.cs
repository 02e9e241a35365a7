using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Serverless.Data.Paging;

/// <summary>
/// Opaque pagination cursors: base64url(JSON {query fingerprint, position}) "." base64url(HMAC-SHA256).
/// Clients cannot read meaning into them or forge them; an altered, truncated or foreign cursor is an
/// <see cref="InvalidCursorException"/>, never a silently different page.
/// </summary>
public sealed class CursorCodec
{
    private const int MaxCursorLength = 4096;
    private readonly byte[] _key;

    public CursorCodec(TableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = Encoding.UTF8.GetBytes(options.CursorSigningKey ?? "");
        if (key.Length < TableOptions.MinimumSigningKeyBytes)
        {
            throw new InvalidOperationException($"TableOptions.CursorSigningKey must be at least {TableOptions.MinimumSigningKeyBytes} bytes.");
        }

        _key = key;
    }

    public string Encode(string queryFingerprint, IReadOnlyDictionary<string, string> position)
    {
        ArgumentNullException.ThrowIfNull(position);
        var document = new CursorDocument(queryFingerprint, new Dictionary<string, string>(position, StringComparer.Ordinal));
        var payload = JsonSerializer.SerializeToUtf8Bytes(document, CursorJsonContext.Default.CursorDocument);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_key, payload));
    }

    /// <summary>The position the cursor carries, if it is authentic and was issued for this query.</summary>
    public IReadOnlyDictionary<string, string> Decode(string cursor, string queryFingerprint)
    {
        if (string.IsNullOrEmpty(cursor) || cursor.Length > MaxCursorLength)
        {
            throw new InvalidCursorException("The cursor is empty or too long.");
        }

        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot != cursor.LastIndexOf('.'))
        {
            throw new InvalidCursorException("The cursor is malformed.");
        }

        byte[] payload;
        byte[] signature;
        try
        {
            payload = Base64Url.DecodeFromChars(cursor.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(cursor.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            throw new InvalidCursorException("The cursor is malformed.");
        }

        // Constant-time comparison: response timing must not reveal how much of a forged signature was right.
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payload), signature))
        {
            throw new InvalidCursorException("The cursor's signature does not match; it was altered or forged.");
        }

        CursorDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(payload, CursorJsonContext.Default.CursorDocument);
        }
        catch (JsonException)
        {
            throw new InvalidCursorException("The cursor is malformed.");
        }

        if (document?.Position is null || document.Query != queryFingerprint)
        {
            throw new InvalidCursorException("The cursor belongs to another query.");
        }

        return document.Position;
    }
}
