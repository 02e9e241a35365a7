namespace Serverless.Lambda.Events;

/// <summary>API Gateway HTTP API response, payload format 2.0.</summary>
public sealed class HttpApiResponse
{
    public int StatusCode { get; set; }

    /// <summary>Repeated headers comma-joined; Set-Cookie goes to <see cref="Cookies"/> instead.</summary>
    public Dictionary<string, string>? Headers { get; set; }

    public List<string>? Cookies { get; set; }
    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }
}
