using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Serverless.Api.Infrastructure.Auth;

namespace Serverless.Api.Tests.Authorization;

/// <summary>One route of the built app: its method, its pattern as a client writes it, and its access rule.</summary>
public sealed record AppRoute(string Method, string Pattern, AccessRule? Rule, bool Anonymous)
{
    public string Key => $"{Method} {Pattern}";

    /// <summary>Every route the app maps, one per method, built as every host composes it (no table is touched).</summary>
    public static IReadOnlyList<AppRoute> All()
    {
        using var app = ApiApp.Build(RouteAuthorizationTests.UndeclaredRouteHost.CreateBuilder());
        var routes = new List<AppRoute>();
        foreach (var endpoint in ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = Normalize(endpoint.RoutePattern.RawText ?? "");
            if (pattern.StartsWith("/scalar", StringComparison.Ordinal))
            {
                // The API reference page: served only off Lambda, and open (RouteAuthorizationTests).
                continue;
            }

            var rule = endpoint.Metadata.GetMetadata<AccessRule>();
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                routes.Add(new AppRoute(method, pattern, rule, anonymous));
            }
        }

        return routes;
    }

    /// <summary>Route groups join their prefixes ("/" + "/posts/{id}", "/users" + "/"): "/posts/{id}", "/users".</summary>
    private static string Normalize(string pattern)
    {
        var path = "/" + string.Join('/', pattern.Split('/', StringSplitOptions.RemoveEmptyEntries));
        return path;
    }
}
