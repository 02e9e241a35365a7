using System.Text.Json.Serialization;

namespace Serverless.Lambda.Events;

/// <summary>API Gateway REST API proxy request, payload format 1.0.</summary>
public sealed class RestApiRequest
{
    public string? Resource { get; set; }
    public string? Path { get; set; }
    public string? HttpMethod { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public Dictionary<string, List<string>>? MultiValueHeaders { get; set; }
    public Dictionary<string, string>? QueryStringParameters { get; set; }
    public Dictionary<string, List<string>>? MultiValueQueryStringParameters { get; set; }
    public Dictionary<string, string>? PathParameters { get; set; }
    public Dictionary<string, string>? StageVariables { get; set; }
    public RestApiRequestContext? RequestContext { get; set; }
    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }
}

public sealed class RestApiRequestContext
{
    public string? AccountId { get; set; }
    public string? ResourceId { get; set; }
    public string? Stage { get; set; }
    public string? RequestId { get; set; }
    public string? ExtendedRequestId { get; set; }
    public string? RequestTime { get; set; }
    public long RequestTimeEpoch { get; set; }
    public RestApiIdentity? Identity { get; set; }

    /// <summary>The path as the client sent it, stage included on the execute-api domain.</summary>
    public string? Path { get; set; }

    public string? ResourcePath { get; set; }
    public string? HttpMethod { get; set; }
    public string? ApiId { get; set; }
    public string? Protocol { get; set; }
    public string? DomainName { get; set; }
    public string? DomainPrefix { get; set; }
    public string? ConnectionId { get; set; }
    public RestApiAuthorizer? Authorizer { get; set; }
}

public sealed class RestApiIdentity
{
    public string? CognitoIdentityPoolId { get; set; }
    public string? AccountId { get; set; }
    public string? CognitoIdentityId { get; set; }
    public string? Caller { get; set; }
    public string? ApiKey { get; set; }
    public string? ApiKeyId { get; set; }
    public string? AccessKey { get; set; }
    public string? SourceIp { get; set; }
    public string? CognitoAuthenticationType { get; set; }
    public string? CognitoAuthenticationProvider { get; set; }
    public string? UserArn { get; set; }
    public string? UserAgent { get; set; }
    public string? User { get; set; }
    public ClientCertificateDescription? ClientCert { get; set; }
}

/// <summary>
/// REST API authorizer output: a Cognito user-pool authorizer puts the token's claims under <c>claims</c>; a
/// Lambda authorizer puts its context values (string, number or boolean) and <c>principalId</c> beside it.
/// </summary>
[JsonConverter(typeof(RestApiAuthorizerConverter))]
public sealed class RestApiAuthorizer
{
    public Dictionary<string, string> Claims { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Context { get; } = new(StringComparer.Ordinal);
}
