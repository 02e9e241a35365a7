namespace Serverless.Lambda.Events;

/// <summary>Application Load Balancer response; fill the header collection of the request's mode only.</summary>
public sealed class AlbResponse
{
    public int StatusCode { get; set; }

    /// <summary>"200 OK" style.</summary>
    public string? StatusDescription { get; set; }

    public Dictionary<string, string>? Headers { get; set; }
    public Dictionary<string, List<string>>? MultiValueHeaders { get; set; }
    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }
}
