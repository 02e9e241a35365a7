namespace Serverless.Api.Infrastructure.Auth;

/// <summary>
/// How callers are authenticated (configuration section <c>Auth</c>). Nothing here has a default outside the
/// Development environment: there the local stack's <see cref="DevAuth"/> values fill what is not set, anywhere else
/// the start fails naming what is missing (<see cref="AuthOptionsValidation"/>).
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Set by the Lambda runtime in every function's environment.</summary>
    public const string LambdaRuntimeVariable = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>
    /// True: trust the caller the host put on the request (on Lambda the adapter builds it from the HTTP API JWT
    /// authorizer's claims, after API Gateway validated the token), once the event proves it came that way.
    /// False: validate a bearer JWT here. Null (the default): true exactly when running on Lambda.
    /// </summary>
    public bool? TrustHostPrincipal { get; set; }

    /// <summary>The token issuer (<c>iss</c>) this API trusts; the template sets it from JwtIssuer.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>
    /// The audiences (<c>aud</c>, or Cognito's <c>client_id</c>) this API accepts, comma-separated as the template
    /// joins its JwtAudience list.
    /// </summary>
    public string Audience { get; set; } = "";

    /// <summary>
    /// When set, the one HTTP API whose events the function trusts (<c>requestContext.apiId</c>); events of any other
    /// API are refused. Optional: the template cannot pass its own HttpApi's id to the function that API integrates
    /// (CloudFormation sees a circular dependency), so it is given once the API exists. Used only when <see cref="UsesHostPrincipal"/>.
    /// </summary>
    public string ApiId { get; set; } = "";

    /// <summary>HMAC key for bearer tokens validated here (Kestrel, sam local). Needed only when not <see cref="UsesHostPrincipal"/>.</summary>
    public string SigningKey { get; set; } = "";

    public bool UsesHostPrincipal =>
        TrustHostPrincipal ?? !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(LambdaRuntimeVariable));

    public IReadOnlyList<string> Audiences =>
        Audience.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
