using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;

namespace Serverless.Api.Infrastructure.Auth;

/// <summary>
/// On Lambda, API Gateway's JWT authorizer has already validated the token and the adapter has turned its claims
/// into <see cref="HttpContext.User"/>; re-validating would need the issuer's keys for nothing. That principal is
/// trusted only when the event shows it came the way the template configures: an HTTP API (payload 2.0) event (of the
/// configured API, when <see cref="AuthOptions.ApiId"/> is set) authorized by its JWT authorizer, for a token of the
/// configured issuer and audience. Any other shape, authorizer or value is refused (401) with one log line naming the
/// check that failed, never a claim's value; an event with no authorizer is anonymous (401 where a route needs a caller).
/// </summary>
internal sealed class HostPrincipalHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AuthOptions> auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "HostPrincipal";

    private const string Issuer = "iss";
    private const string Audience = "aud";

    // Cognito access tokens carry the app client in client_id and no aud; API Gateway's JWT authorizer checks it instead.
    private const string ClientId = "client_id";

    // Why this request's caller was refused, kept for the challenge. Not an authentication failure result: the base
    // handler would log its message on every authentication of the request, and an open route needs no log line.
    private HostRefusal? _refusal;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        _refusal = Check(Context.RequestServices.GetService<IHostOriginReader>()?.Read(Context), auth.Value);
        if (_refusal is null)
        {
            return Task.FromResult(Context.User.Identity?.IsAuthenticated == true
                ? AuthenticateResult.Success(new AuthenticationTicket(Context.User, SchemeName))
                : AuthenticateResult.NoResult());
        }

        // The host's principal stays on the request unless replaced; a refused one must not reach any code that reads
        // HttpContext.User (an open route's handler, a log enricher).
        Context.User = new ClaimsPrincipal(new ClaimsIdentity());
        return Task.FromResult(AuthenticateResult.NoResult());
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        var refusal = _refusal ?? new HostRefusal(HostCheck.NoCaller, AuthFailures.NoHostPrincipal);
        Logger.LogWarning("Refused the request's caller: the {HostCheck} check failed", refusal.Check);
        StatusReason.Set(Context, refusal.Detail);
        Response.Headers.WWWAuthenticate = "Bearer";
        await base.HandleChallengeAsync(properties).ConfigureAwait(false);
    }

    /// <summary>Null when the host's caller may be trusted (or there is none, on an open route); otherwise why not.</summary>
    internal static HostRefusal? Check(HostOrigin? origin, AuthOptions settings)
    {
        if (origin is null)
        {
            return new(HostCheck.Event, AuthFailures.NotFromApiGateway);
        }

        if (origin.Shape != HostEventShape.HttpApiV2)
        {
            return new(HostCheck.EventShape, AuthFailures.WrongEventShape(origin.Shape));
        }

        if (settings.ApiId.Length > 0 && !string.Equals(origin.ApiId, settings.ApiId, StringComparison.Ordinal))
        {
            return new(HostCheck.ApiId, AuthFailures.WrongApi);
        }

        switch (origin.Authorizer)
        {
            case HostAuthorizer.None:
                return new(HostCheck.NoCaller, AuthFailures.NoHostPrincipal);
            case HostAuthorizer.Jwt:
                break;
            default:
                return new(HostCheck.Authorizer, AuthFailures.WrongAuthorizer(origin.Authorizer));
        }

        var claims = origin.JwtClaims ?? new Dictionary<string, string>();
        if (!claims.TryGetValue(Issuer, out var issuer) || !string.Equals(issuer, settings.Issuer, StringComparison.Ordinal))
        {
            return new(HostCheck.Issuer, AuthFailures.WrongIssuer(settings));
        }

        var audiences = claims.TryGetValue(Audience, out var aud) ? AudienceValues(aud)
            : claims.TryGetValue(ClientId, out var clientId) ? [clientId]
            : [];
        if (!audiences.Any(a => settings.Audiences.Contains(a, StringComparer.Ordinal)))
        {
            return new(HostCheck.Audience, AuthFailures.WrongAudience(settings));
        }

        return null;
    }

    /// <summary>
    /// A token's aud is one string or an array. HTTP API passes every claim to the integration as a string, an array
    /// as its values in brackets ("[a b]"); the JSON text of an array (["a","b"]) is read too.
    /// </summary>
    internal static IReadOnlyList<string> AudienceValues(string claim)
    {
        var text = claim.Trim();
        if (text.Length < 2 || text[0] != '[' || text[^1] != ']')
        {
            return [text];
        }

        return text[1..^1]
            .Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => a.Trim('"'))
            .Where(a => a.Length > 0)
            .ToList();
    }
}

/// <summary>The checks a host's caller must pass; the log line names the one that failed.</summary>
internal enum HostCheck
{
    /// <summary>The request did not come through an event host at all.</summary>
    Event,
    EventShape,
    ApiId,

    /// <summary>The event carries no authorizer: anonymous, refused only where a route needs a caller.</summary>
    NoCaller,
    Authorizer,
    Issuer,
    Audience,
}

/// <summary>Why the host's caller is not trusted: the check (for the log) and the problem's detail (for the caller).</summary>
internal sealed record HostRefusal(HostCheck Check, string Detail);
