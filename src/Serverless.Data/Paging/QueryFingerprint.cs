using System.Security.Cryptography;
using System.Text;

namespace Serverless.Data.Paging;

/// <summary>
/// Identifies a query (pattern name and every parameter that shapes its results). A cursor is signed together
/// with it, so a cursor issued for one query is rejected by any other.
/// </summary>
public static class QueryFingerprint
{
    public static string Of(params string?[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        // Unit separator between parts: ("ab", "c") and ("a", "bc") must differ.
        var text = string.Join('\u001f', parts.Select(p => p ?? "\u2400"));
        return Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 16);
    }
}
