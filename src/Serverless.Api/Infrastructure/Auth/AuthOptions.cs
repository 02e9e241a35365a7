namespace Serverless.Api.Infrastructure.Auth;

/// <summary>How callers are authenticated (configuration section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Set by the Lambda runtime in every function's environment.</summary>
    public const string LambdaRuntimeVariable = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>
    /// True: trust the principal the host already put on the request (on Lambda the adapter builds it from the
    /// API Gateway JWT authorizer's claims, after API Gateway validated the token). False: validate a bearer JWT here.
    /// Null (the default): true exactly when running on Lambda.
    /// </summary>
    public bool? TrustHostPrincipal { get; set; }

    public string Issuer { get; set; } = DevAuth.Issuer;

    public string Audience { get; set; } = DevAuth.Audience;

    /// <summary>HMAC key for bearer tokens validated here (Kestrel); the dev key unless configured.</summary>
    public string SigningKey { get; set; } = DevAuth.SigningKey;

    public bool UsesHostPrincipal =>
        TrustHostPrincipal ?? !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(LambdaRuntimeVariable));
}
