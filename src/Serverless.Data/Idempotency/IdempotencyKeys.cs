using System.Security.Cryptography;
using System.Text;

namespace Serverless.Data.Idempotency;

/// <summary>
/// The hashes an idempotency record is found and checked by. A record's key is a hash of who asked, what route and
/// which key, so neither the caller's subject nor the client's key is stored in clear; the payload is a hash of what the
/// request asked for, so the record never holds the request's PII.
/// </summary>
public static class IdempotencyKeys
{
    /// <summary>An <c>Idempotency-Key</c> is 1 to this many characters.</summary>
    public const int MaxKeyLength = 255;

    /// <summary>1 to 255 printable ASCII characters (space to tilde), as the API accepts in the header.</summary>
    public static bool IsValidKey(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength)
        {
            return false;
        }

        foreach (var c in key)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Lower-case hex SHA-256 of the caller, method, route template and key, each length-prefixed so no two different
    /// tuples give the same input ("a" + "bc" is not "ab" + "c"). Another caller's equal key is another record.
    /// </summary>
    public static string RecordHash(string caller, string method, string routeTemplate, string key)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(routeTemplate);
        ArgumentNullException.ThrowIfNull(key);
        var input = new StringBuilder();
        foreach (var part in (ReadOnlySpan<string>)[caller, method.ToUpperInvariant(), routeTemplate, key])
        {
            input.Append(part.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':').Append(part);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input.ToString())));
    }

    /// <summary>
    /// Lower-case hex SHA-256 of the request's target (path and query, so one key sent to two resources is a mismatch,
    /// not a replay of the other's answer), its precondition (If-Match) and its body bytes.
    /// </summary>
    public static string PayloadHash(string target, string? ifMatch, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in (ReadOnlySpan<string>)[target, ifMatch ?? ""])
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            hash.AppendData(Encoding.ASCII.GetBytes(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":"));
            hash.AppendData(bytes);
        }

        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
