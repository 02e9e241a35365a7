namespace Serverless.Lambda.AspNetCore;

/// <summary>Which service sent the HTTP event; it decides both the request translation and the response shape.</summary>
public enum LambdaHttpPayloadKind
{
    /// <summary>API Gateway HTTP API, payload format 2.0.</summary>
    HttpApiV2,

    /// <summary>API Gateway REST API proxy integration (and HTTP API payload 1.0), payload format 1.0.</summary>
    RestApiV1,

    /// <summary>Application Load Balancer target group.</summary>
    ApplicationLoadBalancer,
}
