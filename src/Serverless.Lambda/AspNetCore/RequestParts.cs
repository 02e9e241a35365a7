using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.AspNetCore;

/// <summary>Translation pieces shared by the three payload formats.</summary>
internal static class RequestParts
{
    /// <summary>
    /// ASP.NET Core holds the path unescaped, as Kestrel hands it over: every escape but <c>%2F</c> is decoded (an
    /// encoded slash stays inside its segment) and a <c>+</c> stays a plus (it means a space only in a query).
    /// </summary>
    public static string DecodePath(string? path)
    {
        var rooted = Rooted(path);
        return rooted.Contains('%', StringComparison.Ordinal) ? PathString.FromUriComponent(rooted).Value ?? "/" : rooted;
    }

    /// <summary>The path with the leading slash that API Gateway's test invocations and some clients leave off.</summary>
    public static string Rooted(string? path) =>
        string.IsNullOrEmpty(path) ? "/" : path[0] == '/' ? path : "/" + path;

    /// <summary>
    /// The client certificate API Gateway passes on under mutual TLS, from its PEM (a trailing newline or not); null
    /// when there is none or it is not a certificate, so a bad value never fails a request that does not look at it.
    /// </summary>
    public static X509Certificate2? ParseCertificate(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPem(pem.AsSpan().Trim());
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
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
                // A header with no values (null in a hand-made event) is no header.
                if (values is null || values.Count == 0)
                {
                    continue;
                }

                target[name] = values.Count == 1 ? new StringValues(values[0] ?? string.Empty) : new StringValues([.. values.Select(v => v ?? string.Empty)]);
            }
        }
        else if (single is not null)
        {
            foreach (var (name, value) in single)
            {
                if (value is not null)
                {
                    target[name] = value;
                }
            }
        }
    }

    /// <summary>
    /// Refuses what Kestrel refuses before an app sees it: a header name that is not an HTTP token, a header value with
    /// a control character other than tab, a Host that is not a host. API Gateway and load balancers never pass such
    /// headers on; a hand-made event can, and the framework's own logging of its Host would fail on it.
    /// </summary>
    public static void ValidateHeaders(IHeaderDictionary headers)
    {
        foreach (var (name, values) in headers)
        {
            if (name.Length == 0 || name.Any(c => c is <= ' ' or >= (char)0x7F or '(' or ')' or ',' or '/' or ':' or ';' or '<' or '=' or '>' or '?' or '@' or '[' or '\\' or ']' or '{' or '}' or '"'))
            {
                throw new UnmappableEventException("a header name is not an HTTP token");
            }

            foreach (var value in values)
            {
                if (value is not null && value.Any(c => (c < ' ' && c != '\t') || c == (char)0x7F))
                {
                    throw new UnmappableEventException($"the {name} header holds a control character");
                }
            }
        }

        if (headers.Host is { Count: > 0 } host && !IsValidHost(host.ToString()))
        {
            throw new UnmappableEventException("the Host header is not a host");
        }
    }

    private static bool IsValidHost(string host)
    {
        if (host.Length == 0 || host.Any(c => c is <= ' ' or >= (char)0x7F))
        {
            return false;
        }

        try
        {
            _ = new HostString(host).ToUriComponent();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
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
                foreach (var value in values ?? [])
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

    /// <summary>
    /// The request's identifier in the app (logs, problem details): the invocation's X-Ray trace id, which ties the
    /// request to its trace; without tracing, the gateway's request id, else the invocation's.
    /// </summary>
    public static string TraceIdentifier(ILambdaContext lambda, string? gatewayRequestId) =>
        lambda.TraceId is { Length: > 0 } trace ? trace
        : gatewayRequestId is { Length: > 0 } requestId ? requestId
        : lambda.AwsRequestId;

    public static IPAddress? ParseIp(string? value) =>
        value is not null && IPAddress.TryParse(value.AsSpan().Trim(), out var address) ? address : null;
}
