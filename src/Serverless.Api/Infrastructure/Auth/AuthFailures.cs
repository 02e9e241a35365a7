using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;

namespace Serverless.Api.Infrastructure.Auth;

/// <summary>
/// Why a caller was refused, in words that say what to fix: the 401 and 403 problems' detail. The reasons name what
/// this API expects (issuer, audience, scopes) and never repeat the token or anything in it but its scopes.
/// </summary>
internal static class AuthFailures
{
    // Names the CLI command, not its project path: a problem never mentions a .NET namespace, even a folder named after one.
    public const string LocalTokenHint = "locally the CLI prints one: token --scopes \"data.read data.write\"; see the README";

    /// <summary>The JWT bearer handler's challenge: no token, or one it refused.</summary>
    public static string Unauthorized(Exception? failure, HttpRequest request, AuthOptions settings)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        if (failure is null)
        {
            return authorization.Length == 0
                ? $"No bearer token was sent. Send Authorization: Bearer <token> ({LocalTokenHint})."
                : "The Authorization header does not carry a bearer token. Send Authorization: Bearer <token>.";
        }

        var reason = failure switch
        {
            SecurityTokenExpiredException expired => $"The token expired at {expired.Expires:u}.",
            SecurityTokenNotYetValidException notYet => $"The token is not valid before {notYet.NotBefore:u}.",
            SecurityTokenNoExpirationException => "The token has no expiry (exp); this API accepts only tokens that expire.",
            SecurityTokenInvalidAudienceException => $"The token is not for this API: its audience (aud) must be {Audiences(settings)}.",
            SecurityTokenInvalidIssuerException => $"The token was not issued by {settings.Issuer}, the issuer this API trusts.",
            SecurityTokenInvalidAlgorithmException => "The token is signed with an algorithm this API does not accept (HS256).",
            SecurityTokenInvalidSignatureException => $"The token's signature does not verify: it was not signed with the key of {settings.Issuer}.",
            SecurityTokenMalformedException or ArgumentException => "The bearer token is not a well-formed JWT.",
            _ => "The bearer token is not valid.",
        };
        return $"{reason} Send a valid token from {settings.Issuer} ({LocalTokenHint}).";
    }

    /// <summary>The host principal's challenge (Lambda): API Gateway's authorizer put no caller on the request.</summary>
    public const string NoHostPrincipal =
        "No caller came with the request: on Lambda the API takes the caller from API Gateway's JWT authorizer. "
        + "Send Authorization: Bearer <token> to a route behind that authorizer.";

    // The host's caller refused (HostPrincipalHandler): each names what this API trusts, never a value of the event.
    private const string TrustedOrigin = "this API trusts a caller only from an HTTP API (payload 2.0) event authorized by its JWT authorizer";

    public const string NotFromApiGateway =
        "The request did not come from API Gateway: " + TrustedOrigin + ". Send it through the deployed HTTP API.";

    public const string WrongApi =
        "The request came through an API (requestContext.apiId) other than the one this function serves: " + TrustedOrigin + ".";

    public static string WrongEventShape(HostEventShape shape) => shape switch
    {
        HostEventShape.RestApiV1 => "The request came as a REST API (payload 1.0) event; " + TrustedOrigin + ".",
        HostEventShape.LoadBalancer => "The request came from a load balancer; " + TrustedOrigin + ".",
        _ => "The request came in an event of another kind; " + TrustedOrigin + ".",
    };

    public static string WrongAuthorizer(HostAuthorizer authorizer) => authorizer switch
    {
        HostAuthorizer.Lambda => "The request was authorized by a Lambda authorizer; " + TrustedOrigin + ".",
        HostAuthorizer.Iam => "The request was authorized by IAM; " + TrustedOrigin + ".",
        HostAuthorizer.CognitoUserPool => "The request was authorized by a Cognito user-pool authorizer; " + TrustedOrigin + ".",
        _ => "The request carries more than one authorizer's data; " + TrustedOrigin + ".",
    };

    public static string WrongIssuer(AuthOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $"The token was not issued by {settings.Issuer}, the issuer this API trusts.";
    }

    public static string WrongAudience(AuthOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return $"The token is not for this API: its audience (aud) must be {Audiences(settings)}.";
    }

    private static string Audiences(AuthOptions settings) =>
        settings.Audiences.Count == 1 ? settings.Audiences[0] : "one of " + string.Join(", ", settings.Audiences);

    /// <summary>
    /// An authenticated caller whose token lacks what the route's rule needs: one of its scopes, a subject, or (for an
    /// end-user token) its own user in the path or query. A route without a rule was judged by the fallback policy.
    /// </summary>
    public static string Forbidden(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = context.User;
        if (Access.RuleOf(context) is { } rule)
        {
            return Access.Refusal(user, rule, context) ?? "The token does not grant what this route needs.";
        }

        var declared = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>()
            .Select(a => a.Policy)
            .OfType<string>()
            .Where(p => Scopes.All.Contains(p, StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList() ?? [];
        // A route that declares no scope was judged by the fallback policy.
        List<string> required = declared.Count > 0 ? declared : [AuthSetup.FallbackScope];
        var granted = user.GetScopes();
        var missing = required.Where(s => !granted.Contains(s, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            var has = granted.Count == 0 ? "no scopes" : string.Join(' ', granted);
            return $"This route needs scope {string.Join(" and ", missing)}; the token has: {has}. "
                + $"Ask for a token that grants {string.Join(' ', required)}.";
        }

        if (user.GetSubject() is null)
        {
            return "This route writes, and a write needs a token with a subject (sub): the subject is recorded as the item's last writer.";
        }

        return "The token does not grant what this route needs.";
    }
}

/// <summary>Leaves the reason of a 403 for its problem, then refuses as the framework does.</summary>
internal sealed class ForbiddenReasonHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Forbidden)
        {
            StatusReason.Set(context, AuthFailures.Forbidden(context));
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
