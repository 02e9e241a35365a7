using System.Net.Http.Headers;
using System.Text.Json;

namespace Serverless.Api.Tests.Support;

/// <summary>
/// One request, independent of the host it goes to: over Kestrel it carries a bearer token for
/// <see cref="Scopes"/>; as an HTTP API event the same scopes arrive as the JWT authorizer's claims.
/// No scopes (null) means no token and no authorizer at all.
/// </summary>
public sealed record ApiRequest(
    HttpMethod Method,
    string PathAndQuery,
    string? Body = null,
    IReadOnlyList<string>? Scopes = null,
    string? IfMatch = null,
    string ContentType = "application/json",
    string Subject = ApiFixture.Subject);

/// <summary>What a host answered, reduced to what both hosts are compared on.</summary>
public sealed record ApiResult(int Status, string? MediaType, string Body, string? ETag)
{
    /// <summary>The body as JSON, or null when it is empty or not JSON.</summary>
    public JsonElement? Json()
    {
        if (string.IsNullOrWhiteSpace(Body))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(Body).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static async Task<ApiResult> FromAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        new(
            (int)response.StatusCode,
            response.Content.Headers.ContentType?.MediaType,
            await response.Content.ReadAsStringAsync(cancellationToken),
            response.Headers.ETag?.ToString());

    /// <summary>An HTTP API 2.0 response document (statusCode, headers, body, isBase64Encoded).</summary>
    public static ApiResult FromHttpApiResponse(JsonElement response)
    {
        var headers = response.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object
            ? h.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var body = response.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "";
        if (response.TryGetProperty("isBase64Encoded", out var encoded) && encoded.GetBoolean())
        {
            body = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(body));
        }

        var mediaType = headers.GetValueOrDefault("Content-Type") is { } contentType ? MediaTypeHeaderValue.Parse(contentType).MediaType : null;
        return new ApiResult(response.GetProperty("statusCode").GetInt32(), mediaType, body, headers.GetValueOrDefault("ETag"));
    }
}
