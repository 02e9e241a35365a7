using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;

namespace Serverless.Api.Infrastructure.Auth;

/// <summary>
/// On Lambda, API Gateway's JWT authorizer has already validated the token and the adapter has turned its claims
/// into <see cref="HttpContext.User"/>; re-validating would need the issuer's keys for nothing. This scheme accepts
/// that principal as is, and challenges (401) when the host brought none.
/// </summary>
internal sealed class HostPrincipalHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "HostPrincipal";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = Context.User;
        return Task.FromResult(
            user.Identity?.IsAuthenticated == true
                ? AuthenticateResult.Success(new AuthenticationTicket(user, SchemeName))
                : AuthenticateResult.NoResult());
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        StatusReason.Set(Context, AuthFailures.NoHostPrincipal);
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
