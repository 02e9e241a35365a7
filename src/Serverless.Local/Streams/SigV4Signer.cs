using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.Local.Streams;

/// <summary>
/// AWS Signature Version 4 for requests signed in the Authorization header, written from the public specification
/// (canonical request → string to sign → derived key → HMAC). Pure: the caller passes the clock's value, so the
/// published test-suite vectors can be checked exactly.
/// </summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// Signs the request and returns the headers to add: <c>x-amz-date</c>, <c>x-amz-security-token</c> when the
    /// credentials carry one, and <c>Authorization</c>. <paramref name="headers"/> must hold every header to sign,
    /// including <c>host</c>; it is not modified.
    /// </summary>
    public static SigV4Result Sign(
        string method,
        Uri uri,
        IEnumerable<KeyValuePair<string, string>> headers,
        ReadOnlySpan<byte> body,
        AwsCredentials credentials,
        string region,
        string service,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(credentials);
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var dateStamp = amzDate[..8];

        var toSign = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            Add(toSign, name, value);
        }

        Add(toSign, "x-amz-date", amzDate);
        if (credentials.SessionToken is { Length: > 0 } token)
        {
            Add(toSign, "x-amz-security-token", token);
        }

        var signedHeaders = string.Join(';', toSign.Keys);
        var canonicalRequest = new StringBuilder()
            .Append(method.ToUpperInvariant()).Append('\n')
            .Append(CanonicalPath(uri)).Append('\n')
            .Append(CanonicalQuery(uri)).Append('\n');
        foreach (var (name, values) in toSign)
        {
            canonicalRequest.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }

        canonicalRequest.Append('\n').Append(signedHeaders).Append('\n').Append(HexSha256(body));

        var scope = $"{dateStamp}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{HexSha256(Encoding.UTF8.GetBytes(canonicalRequest.ToString()))}";

        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), Encoding.UTF8.GetBytes(dateStamp));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

        var authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Result(amzDate, authorization, credentials.SessionToken, canonicalRequest.ToString(), stringToSign);
    }

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static void Add(SortedDictionary<string, List<string>> headers, string name, string value)
    {
        var key = name.Trim().ToLowerInvariant();
        if (!headers.TryGetValue(key, out var values))
        {
            values = [];
            headers[key] = values;
        }

        values.Add(CollapseSpaces(value.Trim()));
    }

    // The spec folds runs of spaces inside a header value into one.
    private static string CollapseSpaces(string value)
    {
        if (!value.Contains("  ", StringComparison.Ordinal))
        {
            return value;
        }

        var sb = new StringBuilder(value.Length);
        var previousSpace = false;
        foreach (var c in value)
        {
            if (c == ' ' && previousSpace)
            {
                continue;
            }

            previousSpace = c == ' ';
            sb.Append(c);
        }

        return sb.ToString();
    }

    // Services other than S3 expect each path segment URI-encoded once more on top of its wire form.
    private static string CanonicalPath(Uri uri)
    {
        var path = uri.AbsolutePath;
        if (path.Length == 0)
        {
            return "/";
        }

        var segments = path.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            segments[i] = Encode(segments[i]);
        }

        return string.Join('/', segments);
    }

    private static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            return string.Empty;
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? string.Empty : part[(eq + 1)..];
            pairs.Add((Encode(Uri.UnescapeDataString(name)), Encode(Uri.UnescapeDataString(value))));
        }

        pairs.Sort((a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    // RFC 3986 unreserved characters stay; everything else is %XX of its UTF-8 bytes, upper-case hex.
    private static string Encode(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}

/// <summary>The headers a signature adds, plus the intermediate strings (for tests and troubleshooting).</summary>
public sealed record SigV4Result(string AmzDate, string Authorization, string? SecurityToken, string CanonicalRequest, string StringToSign);
