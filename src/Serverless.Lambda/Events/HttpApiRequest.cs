using System.Text.Json.Serialization;

namespace Serverless.Lambda.Events;

/// <summary>API Gateway HTTP API request, payload format 2.0.</summary>
public sealed class HttpApiRequest
{
    public string? Version { get; set; }
    public string? RouteKey { get; set; }
    public string? RawPath { get; set; }
    public string? RawQueryString { get; set; }
    public string[]? Cookies { get; set; }

    /// <summary>Repeated headers arrive comma-joined in one value.</summary>
    public Dictionary<string, string>? Headers { get; set; }

    /// <summary>Repeated keys arrive comma-joined; <see cref="RawQueryString"/> keeps them apart.</summary>
    public Dictionary<string, string>? QueryStringParameters { get; set; }

    public Dictionary<string, string>? PathParameters { get; set; }
    public Dictionary<string, string>? StageVariables { get; set; }
    public HttpApiRequestContext? RequestContext { get; set; }
    public string? Body { get; set; }
    public bool IsBase64Encoded { get; set; }
}

public sealed class HttpApiRequestContext
{
    public string? AccountId { get; set; }
    public string? ApiId { get; set; }
    public string? DomainName { get; set; }
    public string? DomainPrefix { get; set; }
    public string? RequestId { get; set; }
    public string? RouteId { get; set; }
    public string? RouteKey { get; set; }
    public string? Stage { get; set; }
    public string? Time { get; set; }
    public long TimeEpoch { get; set; }
    public HttpApiHttpDescription? Http { get; set; }
    public HttpApiAuthorizer? Authorizer { get; set; }
    public HttpApiAuthentication? Authentication { get; set; }
}

public sealed class HttpApiHttpDescription
{
    public string? Method { get; set; }
    public string? Path { get; set; }
    public string? Protocol { get; set; }
    public string? SourceIp { get; set; }
    public string? UserAgent { get; set; }
}

public sealed class HttpApiAuthorizer
{
    public HttpApiJwtAuthorizer? Jwt { get; set; }

    /// <summary>The context a Lambda authorizer returned, values as text.</summary>
    [JsonConverter(typeof(LenientStringDictionaryConverter))]
    public Dictionary<string, string>? Lambda { get; set; }

    public HttpApiIamAuthorizer? Iam { get; set; }
}

public sealed class HttpApiJwtAuthorizer
{
    [JsonConverter(typeof(LenientStringDictionaryConverter))]
    public Dictionary<string, string>? Claims { get; set; }

    public string[]? Scopes { get; set; }
}

public sealed class HttpApiIamAuthorizer
{
    public string? AccessKey { get; set; }
    public string? AccountId { get; set; }
    public string? CallerId { get; set; }
    public string? PrincipalOrgId { get; set; }
    public string? UserArn { get; set; }
    public string? UserId { get; set; }
    public CognitoIdentityDescription? CognitoIdentity { get; set; }
}

public sealed class CognitoIdentityDescription
{
    public string[]? Amr { get; set; }
    public string? IdentityId { get; set; }
    public string? IdentityPoolId { get; set; }
}

public sealed class HttpApiAuthentication
{
    public ClientCertificateDescription? ClientCert { get; set; }
}

/// <summary>The mTLS client certificate API Gateway verified.</summary>
public sealed class ClientCertificateDescription
{
    public string? ClientCertPem { get; set; }

    [JsonPropertyName("subjectDN")]
    public string? SubjectDN { get; set; }

    [JsonPropertyName("issuerDN")]
    public string? IssuerDN { get; set; }

    public string? SerialNumber { get; set; }
    public ClientCertificateValidity? Validity { get; set; }
}

public sealed class ClientCertificateValidity
{
    public string? NotBefore { get; set; }
    public string? NotAfter { get; set; }
}
