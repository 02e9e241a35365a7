using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Serverless.Data.Paging;

/// <summary>
/// Opaque pagination cursors: base64url(JSON {query fingerprint, position}) "." base64url(HMAC-SHA256).
/// Clients cannot read meaning into them or forge them; an altered, truncated or foreign cursor is an
/// <see cref="InvalidCursorException"/>, never a silently different page. Cursors are signed with the current key and
/// accepted when either it or the previous key (during a rotation) signed them.
/// </summary>
public sealed class CursorCodec
{
    private const int MaxCursorLength = 4096;
    private readonly byte[] _key;
    private readonly byte[]? _previousKey;

    public CursorCodec(TableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _key = KeyOf(options.CursorSigningKey, nameof(TableOptions.CursorSigningKey));
        _previousKey = string.IsNullOrEmpty(options.PreviousCursorSigningKey)
            ? null
            : KeyOf(options.PreviousCursorSigningKey, nameof(TableOptions.PreviousCursorSigningKey));
    }

    private static byte[] KeyOf(string? value, string name)
    {
        var key = Encoding.UTF8.GetBytes(value ?? "");
        if (key.Length < TableOptions.MinimumSigningKeyBytes)
        {
            throw new InvalidOperationException($"TableOptions.{name} must be at least {TableOptions.MinimumSigningKeyBytes} bytes.");
        }

        return key;
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

        // Constant-time comparison: response timing must not reveal how much of a forged signature was right. Both
        // keys are always tried, so timing does not tell which one signed either.
        var current = CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payload), signature);
        var previous = _previousKey is not null && CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_previousKey, payload), signature);
        if (!(current | previous))
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
