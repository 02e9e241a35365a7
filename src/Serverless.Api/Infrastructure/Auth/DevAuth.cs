using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Serverless.Api.Infrastructure.Auth;

/// <summary>
/// The local stack's token issuer: the one place holding the dev signing key, issuer and audience, used both by
/// the API's JWT validation on Kestrel and by the <c>token</c> command that mints tokens for it. The key is public
/// on purpose (it is in the repository), so the API uses and accepts these values only in the Development environment
/// (<see cref="AuthOptionsValidation"/>); anywhere else they are refused even when configured explicitly.
/// </summary>
public static class DevAuth
{
    public const string Issuer = "https://serverless.local/dev";

    public const string Audience = "serverless-api";

    /// <summary>HMAC-SHA256 key for local tokens only (32+ bytes as HS256 requires). Not a secret.</summary>
    public const string SigningKey = "serverless-local-dev-signing-key: not a secret, local use only";

    public const string DefaultSubject = "dev-user";

    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    public static SymmetricSecurityKey CreateKey(string signingKey) => new(Encoding.UTF8.GetBytes(signingKey));

    /// <summary>
    /// A signed JWT carrying <c>sub</c> and a space-joined <c>scope</c> claim, the shape HTTP API's JWT authorizer
    /// passes on from an OAuth 2.0 access token.
    /// </summary>
    public static string CreateToken(
        string subject,
        IEnumerable<string> scopes,
        TimeSpan lifetime,
        DateTimeOffset now,
        string signingKey = SigningKey,
        string issuer = Issuer,
        string audience = Audience)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentNullException.ThrowIfNull(scopes);
        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "The lifetime must be positive.");
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [ApiClaims.Subject] = subject,
                [ApiClaims.Scope] = string.Join(' ', scopes.Where(s => !string.IsNullOrWhiteSpace(s)).Distinct(StringComparer.Ordinal)),
            },
            SigningCredentials = new SigningCredentials(CreateKey(signingKey), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}

/// <summary>Claim names as they appear in the token and in the Lambda adapter's principal (never remapped).</summary>
public static class ApiClaims
{
    public const string Subject = "sub";

    /// <summary>OAuth 2.0 access tokens (RFC 8693 section 4.2) carry scopes as one space-separated string.</summary>
    public const string Scope = "scope";

    /// <summary>Some issuers (Azure AD, Okta) name it <c>scp</c>, sometimes one claim per scope.</summary>
    public const string ScopeAlternate = "scp";

    public static bool HasScope(this ClaimsPrincipal user, string scope) => user.GetScopes().Contains(scope, StringComparer.Ordinal);

    /// <summary>Every scope the caller's token grants, in the order the token lists them.</summary>
    public static IReadOnlyList<string> GetScopes(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var scopes = new List<string>();
        foreach (var claim in user.Claims)
        {
            if (claim.Type is Scope or ScopeAlternate)
            {
                scopes.AddRange(claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
        }

        return scopes;
    }

    /// <summary>The caller's subject: stored on every item it writes as the last writer (the audit trail's changed_by).</summary>
    public static string? GetSubject(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var sub = user.FindFirst(ApiClaims.Subject)?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        return string.IsNullOrWhiteSpace(sub) ? null : sub;
    }

    /// <summary>For write handlers, which run only behind a policy that requires a subject.</summary>
    public static string GetWriter(this ClaimsPrincipal user) =>
        user.GetSubject() ?? throw new InvalidOperationException("A write ran without a subject; its policy must require one.");
}
