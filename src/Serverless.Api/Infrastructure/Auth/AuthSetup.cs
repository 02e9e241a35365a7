using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;

namespace Serverless.Api.Infrastructure.Auth;

internal static class AuthSetup
{
    /// <summary>The default scheme: forwards to the host's principal on Lambda and to JWT bearer validation elsewhere.</summary>
    private const string ApiScheme = "Api";

    /// <summary>
    /// The scope a route that declares no policy is held to (the fallback policy), so a new endpoint is never open by
    /// accident: a caller authenticated by the API's scheme whose token grants data.read. Not "any authenticated
    /// caller": that would let through a token that lists no scope at all, which no declared route admits, so a
    /// forgotten declaration would leave that route more open than any other. The read scope is the least any
    /// declared route asks; the endpoint tests refuse a route that declares nothing before it ships.
    /// </summary>
    public const string FallbackScope = Scopes.Read;

    public static IServiceCollection AddApiAuth(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<AuthOptionsValidation>();
        services.AddSingleton<IPostConfigureOptions<AuthOptions>>(sp => sp.GetRequiredService<AuthOptionsValidation>());
        services.AddSingleton<IValidateOptions<AuthOptions>>(sp => sp.GetRequiredService<AuthOptionsValidation>());

        services.AddAuthentication(ApiScheme)
            .AddPolicyScheme(ApiScheme, "JWT bearer locally, the host's principal on Lambda", o =>
                o.ForwardDefaultSelector = context =>
                    context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.UsesHostPrincipal
                        ? HostPrincipalHandler.SchemeName
                        : JwtBearerDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, HostPrincipalHandler>(HostPrincipalHandler.SchemeName, null)
            .AddJwtBearer();
        WithoutDataProtectionAtStartup(services);

        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((jwt, auth) =>
            {
                var settings = auth.Value;
                // Claim names stay as in the token ("sub", "scope"), the same names the Lambda adapter uses.
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = settings.Issuer,
                    ValidAudiences = settings.Audiences,
                    // Unset only where bearer tokens are not validated here (the host's caller is trusted instead).
                    IssuerSigningKey = settings.SigningKey.Length > 0 ? DevAuth.CreateKey(settings.SigningKey) : null,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    NameClaimType = ApiClaims.Subject,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                jwt.Events = new JwtBearerEvents
                {
                    // The challenge keeps its WWW-Authenticate; the problem's detail says the same in words.
                    OnChallenge = context =>
                    {
                        StatusReason.Set(context.HttpContext, AuthFailures.Unauthorized(context.AuthenticateFailure, context.Request, settings));
                        return Task.CompletedTask;
                    },
                };
            });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenReasonHandler>();

        // Each policy names the API's scheme, so the user it judges is the one that scheme authenticated: were the
        // host's principal used (as it would be with no scheme named) it would count even when the app is told to
        // validate bearer tokens itself and none is valid. A policy is named by the scopes that may reach its routes;
        // what it checks beyond them (a subject for writers, an end user's own id) is the route's rule (Access).
        var authorization = services.AddAuthorizationBuilder();
        foreach (var policy in Access.All.Select(r => r.Policy).Distinct(StringComparer.Ordinal))
        {
            authorization.AddPolicy(policy, p => p.AddAuthenticationSchemes(ApiScheme).RequireAuthenticatedUser().RequireAssertion(Access.Admits));
        }

        authorization
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiScheme)
                .RequireAssertion(c => !IsRouteOfTheApp(c.Resource) || (c.User.Identity?.IsAuthenticated == true && c.User.HasScope(FallbackScope)))
                .Build());
        return services;
    }

    /// <summary>
    /// The fallback policy is also asked about requests no route of the app took: those with no endpoint (404) and
    /// those the router gives its 405 endpoint (not a <see cref="RouteEndpoint"/>). They keep their own answer for
    /// every caller, token or not, as they had before the fallback existed.
    /// </summary>
    private static bool IsRouteOfTheApp(object? resource) => resource is HttpContext http && http.GetEndpoint() is RouteEndpoint;

    /// <summary>
    /// AddAuthentication brings ASP.NET Core data protection, whose hosted service loads (and on a first run creates
    /// and writes) a key ring when the host starts. Nothing here protects data with it: tokens are bearer JWTs or the
    /// host's claims, and page cursors are signed with their own key. On Lambda that start-up work is part of every
    /// cold start (the key files and OpenSSL's initialisation), and the home folder it would write to is read-only,
    /// so the service is taken out; data protection itself stays registered and would load its keys on first use.
    /// </summary>
    private static void WithoutDataProtectionAtStartup(IServiceCollection services)
    {
        var keyRingLoader = services.FirstOrDefault(d =>
            d.ServiceType == typeof(IHostedService)
            && d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService");
        if (keyRingLoader is not null)
        {
            services.Remove(keyRingLoader);
        }
    }
}
