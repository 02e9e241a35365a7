using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Serverless.Lambda.AspNetCore;

/// <summary>Translation pieces shared by the three payload formats.</summary>
internal static class RequestParts
{
    /// <summary>ASP.NET Core holds the path unescaped, as Kestrel hands it over.</summary>
    public static string DecodePath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        var decoded = path.Contains('%', StringComparison.Ordinal) ? PathString.FromUriComponent(path).Value ?? "/" : path;
        return decoded.StartsWith('/') ? decoded : "/" + decoded;
    }

    /// <summary>True when <paramref name="path"/> begins with the whole segment <c>/{stage}</c>.</summary>
    public static bool StartsWithStage(string path, string? stage) =>
        !string.IsNullOrEmpty(stage)
        && path.Length > stage.Length
        && path[0] == '/'
        && path.AsSpan(1, stage.Length).SequenceEqual(stage)
        && (path.Length == stage.Length + 1 || path[stage.Length + 1] == '/');

    public static void CopyHeaders(IHeaderDictionary target, Dictionary<string, string>? single, Dictionary<string, List<string>>? multi)
    {
        if (multi is not null)
        {
            foreach (var (name, values) in multi)
            {
                target[name] = values.Count == 1 ? new StringValues(values[0]) : new StringValues([.. values]);
            }
        }
        else if (single is not null)
        {
            foreach (var (name, value) in single)
            {
                target[name] = value;
            }
        }
    }

    /// <summary>
    /// Rebuilds a query string from parameter maps. API Gateway hands over decoded values (so they are escaped
    /// again); a load balancer passes them as the client encoded them (so they are kept as they are).
    /// </summary>
    public static string BuildQueryString(Dictionary<string, string>? single, Dictionary<string, List<string>>? multi, bool escape)
    {
        if (multi is { Count: > 0 })
        {
            var builder = new StringBuilder();
            foreach (var (name, values) in multi)
            {
                foreach (var value in values)
                {
                    Append(builder, name, value, escape);
                }
            }

            return builder.ToString();
        }

        if (single is { Count: > 0 })
        {
            var builder = new StringBuilder();
            foreach (var (name, value) in single)
            {
                Append(builder, name, value, escape);
            }

            return builder.ToString();
        }

        return string.Empty;
    }

    private static void Append(StringBuilder builder, string name, string? value, bool escape)
    {
        builder.Append(builder.Length == 0 ? '?' : '&');
        builder.Append(escape ? Uri.EscapeDataString(name) : name);
        builder.Append('=');
        builder.Append(escape ? Uri.EscapeDataString(value ?? string.Empty) : value);
    }

    public static IPAddress? ParseIp(string? value) =>
        value is not null && IPAddress.TryParse(value.AsSpan().Trim(), out var address) ? address : null;
}
