using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.Data.Privacy;

/// <summary>
/// Blind indexes: HMAC-SHA256, under the keyring's blind key (never a field key), of a purpose and a normalized value,
/// written as <c>&lt;version&gt;.&lt;43 characters of base64url&gt;</c>. Full length, so equal tokens mean equal values
/// (the unique-email marker stays exact); the purpose keeps an email's token from matching a name word's.
/// </summary>
public static class BlindIndex
{
    public const string Email = "email";
    public const string Word = "word";
    public const string City = "city";

    public static string Token(KeyringSnapshot keys, int version, string purpose, string normalizedValue)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(normalizedValue);
        var input = Encoding.UTF8.GetBytes(purpose + "\n" + normalizedValue);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(keys.Key(KeyPurpose.Blind, version), input, mac);
        return version.ToString(CultureInfo.InvariantCulture) + "." + Base64Url(mac);
    }

    /// <summary>The token under each readable version, the active one first: what a lookup tries during a rotation.</summary>
    public static IReadOnlyList<string> Tokens(KeyringSnapshot keys, string purpose, string normalizedValue) =>
        [.. keys.BlindVersions.Select(v => Token(keys, v, purpose, normalizedValue))];

    /// <summary>The version a token was made under; 0 for a value that is not a token (a plaintext key of an older item).</summary>
    public static int VersionOf(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && dot < 6 && token.Length == dot + 44 && int.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
