namespace Serverless.Lambda.Events;

/// <summary>API Gateway REST API proxy response, payload format 1.0.</summary>
public sealed class RestApiResponse
{
    public int StatusCode { get; set; }
    public Dictionary<string, string>? Headers { get; set; }

    /// <summary>API Gateway prefers these over <see cref="Headers"/> for a name present in both.</summary>
    public Dictionary<string, List<string>>? MultiValueHeaders { get; set; }

    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }
}
