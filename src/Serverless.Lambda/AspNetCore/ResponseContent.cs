namespace Serverless.Lambda.AspNetCore;

/// <summary>
/// Lambda returns the body inside a JSON string, so binary content must travel base64-encoded. Text media types go
/// as text unless a Content-Encoding (gzip, br…) made the bytes binary.
/// </summary>
public static class ResponseContent
{
    private static readonly string[] TextApplicationTypes =
    [
        "application/json", "application/xml", "application/javascript", "application/x-javascript",
        "application/ecmascript", "application/x-www-form-urlencoded", "application/graphql",
        "application/yaml", "application/x-yaml", "application/x-ndjson", "application/jsonl",
    ];

    public static bool IsText(string? contentType, string? contentEncoding)
    {
        if (!string.IsNullOrWhiteSpace(contentEncoding) && !contentEncoding.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        var media = contentType.AsSpan();
        var semicolon = media.IndexOf(';');
        if (semicolon >= 0)
        {
            media = media[..semicolon];
        }

        media = media.Trim();
        if (media.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+xml", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var type in TextApplicationTypes)
        {
            if (media.Equals(type, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
