namespace Serverless.Lambda.Events;

/// <summary>
/// Application Load Balancer request. A target group with multi-value headers enabled sends only the
/// <c>multiValue*</c> collections, otherwise only the single-value ones; the response must answer in the same mode.
/// Query values are passed through as the client encoded them (the load balancer does not decode them).
/// </summary>
public sealed class AlbRequest
{
    public AlbRequestContext? RequestContext { get; set; }
    public string? HttpMethod { get; set; }
    public string? Path { get; set; }
    public Dictionary<string, string>? QueryStringParameters { get; set; }
    public Dictionary<string, List<string>>? MultiValueQueryStringParameters { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public Dictionary<string, List<string>>? MultiValueHeaders { get; set; }
    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }
}

public sealed class AlbRequestContext
{
    public AlbTargetGroup? Elb { get; set; }
}

public sealed class AlbTargetGroup
{
    public string? TargetGroupArn { get; set; }
}
