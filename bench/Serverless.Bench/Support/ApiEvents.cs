using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Serverless.Bench.Support;

/// <summary>HTTP API (payload 2.0) events as API Gateway sends them after its JWT authorizer accepted the token.</summary>
public static class ApiEvents
{
    /// <summary>The issuer and audience the benchmarks' function is configured with (Auth__Issuer, Auth__Audience).</summary>
    public const string Issuer = "https://bench.example/issuer";

    public const string Audience = "bench-api";

    public static byte[] Get(string path, string scope = "data.read", string subject = "bench-user")
    {
        var requestId = Guid.NewGuid().ToString("N")[..16];
        var now = DateTimeOffset.UtcNow;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", "2.0");
            json.WriteString("routeKey", "GET " + path);
            json.WriteString("rawPath", path);
            json.WriteString("rawQueryString", "");
            json.WriteStartObject("headers");
            json.WriteString("accept", "application/json");
            json.WriteString("host", "abcdef1234.execute-api.us-east-1.amazonaws.com");
            json.WriteString("user-agent", "bench");
            json.WriteString("x-forwarded-for", "203.0.113.10");
            json.WriteString("x-forwarded-port", "443");
            json.WriteString("x-forwarded-proto", "https");
            json.WriteEndObject();
            json.WriteStartObject("requestContext");
            json.WriteString("accountId", "123456789012");
            json.WriteString("apiId", "abcdef1234");
            json.WriteStartObject("authorizer");
            json.WriteStartObject("jwt");
            json.WriteStartObject("claims");
            json.WriteString("sub", subject);
            json.WriteString("scope", scope);
            json.WriteString("iss", Issuer);
            json.WriteString("aud", Audience);
            json.WriteEndObject();
            json.WriteStartArray("scopes");
            foreach (var s in scope.Split(' '))
            {
                json.WriteStringValue(s);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteString("domainName", "abcdef1234.execute-api.us-east-1.amazonaws.com");
            json.WriteString("domainPrefix", "abcdef1234");
            json.WriteStartObject("http");
            json.WriteString("method", "GET");
            json.WriteString("path", path);
            json.WriteString("protocol", "HTTP/1.1");
            json.WriteString("sourceIp", "203.0.113.10");
            json.WriteString("userAgent", "bench");
            json.WriteEndObject();
            json.WriteString("requestId", requestId);
            json.WriteString("routeKey", "GET " + path);
            json.WriteString("stage", "$default");
            json.WriteString("time", now.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture));
            json.WriteNumber("timeEpoch", now.ToUnixTimeMilliseconds());
            json.WriteEndObject();
            json.WriteBoolean("isBase64Encoded", false);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The <c>statusCode</c> of an HTTP API response, or null when the bytes are not one.</summary>
    public static int? StatusOf(ReadOnlySpan<byte> response)
    {
        try
        {
            var reader = new Utf8JsonReader(response);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.TryGetProperty("statusCode", out var status) && status.TryGetInt32(out var code) ? code : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Excerpt(ReadOnlySpan<byte> bytes) =>
        Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, 300)]);
}
