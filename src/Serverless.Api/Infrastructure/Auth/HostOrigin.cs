namespace Serverless.Api.Infrastructure.Auth;

/// <summary>The kind of event a host received the request in (on Lambda: what invoked the function).</summary>
public enum HostEventShape
{
    /// <summary>API Gateway HTTP API, payload format 2.0: the shape the template's HttpApi sends.</summary>
    HttpApiV2,

    /// <summary>API Gateway REST API (or an HTTP API set to payload format 1.0).</summary>
    RestApiV1,

    /// <summary>An Application Load Balancer target group.</summary>
    LoadBalancer,
}

/// <summary>Which API Gateway authorizer vouched for the caller, as the event says.</summary>
public enum HostAuthorizer
{
    /// <summary>The event carries no authorizer data (an open route, or nothing in front of the function).</summary>
    None,

    /// <summary>HTTP API's JWT authorizer (<c>requestContext.authorizer.jwt</c>): the one the template configures.</summary>
    Jwt,

    /// <summary>A Lambda authorizer's free-form context.</summary>
    Lambda,

    /// <summary>IAM (SigV4) authorization.</summary>
    Iam,

    /// <summary>A REST API Cognito user-pool authorizer (<c>requestContext.authorizer.claims</c>).</summary>
    CognitoUserPool,

    /// <summary>More than one of the above in one event, which API Gateway never sends.</summary>
    Several,
}

/// <summary>
/// How a request reached the app, as the host that received it reports it: what the API needs to decide whether the
/// caller the host put on the request may be trusted. Claims are the JWT authorizer's, as strings, exactly as the
/// event carries them.
/// </summary>
public sealed record HostOrigin(
    HostEventShape Shape,
    HostAuthorizer Authorizer,
    string? ApiId,
    IReadOnlyDictionary<string, string>? JwtClaims);

/// <summary>
/// Implemented by a host that serves the app from events (the Lambda function); absent on Kestrel. Null for a request
/// the host did not receive as an event.
/// </summary>
public interface IHostOriginReader
{
    HostOrigin? Read(HttpContext context);
}
