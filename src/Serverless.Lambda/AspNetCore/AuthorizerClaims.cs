using System.Security.Claims;
using Serverless.Lambda.Events;

namespace Serverless.Lambda.AspNetCore;

/// <summary>
/// What the event's authorizer data says about the caller becomes <c>HttpContext.User</c>, with an authentication type
/// naming the authorizer it came from; without any claims the user stays anonymous. Whether that caller is trusted is
/// the app's decision, not this layer's: anyone allowed to invoke the function can put anything in an event, so the
/// app checks the event's shape, API and authorizer (see <see cref="ILambdaHttpFeature"/>) before it believes a claim.
/// </summary>
public static class AuthorizerClaims
{
    public const string JwtAuthenticationType = "ApiGatewayJwt";
    public const string CognitoAuthenticationType = "ApiGatewayCognito";
    public const string LambdaAuthorizerAuthenticationType = "ApiGatewayLambdaAuthorizer";
    public const string IamAuthenticationType = "ApiGatewayIam";

    /// <summary>OAuth's space-separated scope list, rebuilt from the HTTP API <c>scopes</c> array.</summary>
    public const string ScopeClaimType = "scope";

    public static ClaimsPrincipal? FromHttpApi(HttpApiAuthorizer? authorizer)
    {
        if (authorizer is null)
        {
            return null;
        }

        if (authorizer.Jwt is { } jwt && (jwt.Claims is { Count: > 0 } || jwt.Scopes is { Length: > 0 }))
        {
            var claims = ToClaims(jwt.Claims);
            if (jwt.Scopes is { Length: > 0 } scopes && !(jwt.Claims?.ContainsKey(ScopeClaimType) ?? false))
            {
                claims.Add(new Claim(ScopeClaimType, string.Join(' ', scopes)));
            }

            return Principal(claims, JwtAuthenticationType);
        }

        if (authorizer.Lambda is { Count: > 0 } context)
        {
            return Principal(ToClaims(context), LambdaAuthorizerAuthenticationType);
        }

        if (authorizer.Iam is { } iam)
        {
            var claims = new List<Claim>(4);
            AddIfPresent(claims, ClaimTypes.NameIdentifier, iam.UserArn);
            AddIfPresent(claims, "userId", iam.UserId);
            AddIfPresent(claims, "accountId", iam.AccountId);
            AddIfPresent(claims, "callerId", iam.CallerId);
            return claims.Count > 0 ? Principal(claims, IamAuthenticationType) : null;
        }

        return null;
    }

    /// <summary>Cognito user-pool claims, or a Lambda authorizer's context values (both when both are present).</summary>
    public static ClaimsPrincipal? FromRestApi(RestApiAuthorizer? authorizer)
    {
        if (authorizer is null || (authorizer.Claims.Count == 0 && authorizer.Context.Count == 0))
        {
            return null;
        }

        var claims = ToClaims(authorizer.Claims);
        claims.AddRange(ToClaims(authorizer.Context));
        var type = authorizer.Claims.Count > 0 ? CognitoAuthenticationType : LambdaAuthorizerAuthenticationType;
        return Principal(claims, type);
    }

    private static List<Claim> ToClaims(Dictionary<string, string>? values)
    {
        var claims = new List<Claim>(values?.Count + 1 ?? 1);
        if (values is not null)
        {
            foreach (var (type, value) in values)
            {
                claims.Add(new Claim(type, value));
            }
        }

        return claims;
    }

    private static void AddIfPresent(List<Claim> claims, string type, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            claims.Add(new Claim(type, value));
        }
    }

    private static ClaimsPrincipal Principal(List<Claim> claims, string authenticationType) =>
        new(new ClaimsIdentity(claims, authenticationType));
}
