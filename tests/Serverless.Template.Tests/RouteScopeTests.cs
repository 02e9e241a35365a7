using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Serverless.Api.Infrastructure.Auth;

namespace Serverless.Template.Tests;

/// <summary>
/// API Gateway enforces scopes before the function runs, the app enforces its policies after: both must agree, or a
/// caller is refused a route the code allows (or the gateway lets through what the code alone would then guard).
/// The JWT authorizer admits a token holding any one of a route's scopes, and an endpoint's policy is named by the
/// scopes that may reach it (its service scope, and the self scope where an end user may call it). Each endpoint of
/// the built app is sent, as a sample request, through API Gateway's route selection over the template's routes; the
/// chosen route must list exactly the endpoint's scopes, or none for an open endpoint.
/// </summary>
public sealed class RouteScopeTests
{
    private static readonly SamTemplate Template = SamTemplate.Load();

    [Fact]
    public void Every_endpoint_of_the_api_is_reached_through_a_route_requiring_its_scope()
    {
        var routes = GatewayRoute.AllOf(Template);
        var problems = new List<string>();
        foreach (var endpoint in AppEndpoints())
        {
            var route = GatewayRoute.Select(routes, endpoint.Method, endpoint.SamplePath);
            if (route is null)
            {
                problems.Add($"{endpoint}: no template route takes {endpoint.Method} {endpoint.SamplePath} (API Gateway answers 404).");
            }
            else if (!route.Scopes.SetEquals(endpoint.Scopes))
            {
                problems.Add($"{endpoint}: route {route} asks for [{string.Join(", ", route.Scopes)}], the code's policy is [{string.Join(", ", endpoint.Scopes)}].");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Every_route_of_the_template_serves_at_least_one_endpoint()
    {
        var routes = GatewayRoute.AllOf(Template);
        var used = AppEndpoints().Select(e => GatewayRoute.Select(routes, e.Method, e.SamplePath)).OfType<GatewayRoute>().ToHashSet();
        var unused = routes.Where(r => !used.Contains(r)).Select(r => r.ToString()).ToList();
        Assert.True(unused.Count == 0, $"Routes no endpoint needs: {string.Join(", ", unused)}.");
    }

    [Fact]
    public void Only_health_is_open_as_deployed()
    {
        // The OpenAPI document is open only in the Development environment (the local stack); deployed it needs data.read.
        var open = AppEndpoints().Where(e => e.Scopes.Count == 0).Select(e => e.Pattern).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["/health/"], open);
    }

    /// <summary>Every endpoint × method, with the scopes that may reach it (its access rule's, which name its policy).</summary>
    private static List<AppEndpoint> AppEndpoints()
    {
        using var app = ApiHost.Build(Template.Function("ApiFunction").Environment);
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);
        var result = new List<AppEndpoint>();
        foreach (var endpoint in endpoints)
        {
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
            Assert.True(methods is { Count: > 0 }, $"{endpoint.RoutePattern.RawText} accepts every method; give it one.");
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
            var rule = endpoint.Metadata.GetMetadata<AccessRule>();
            Assert.True(
                anonymous || (policies.Count == 1 && rule is not null && policies[0] == rule.Policy),
                $"{endpoint.RoutePattern.RawText}: one policy, its access rule's, expected; it has [{string.Join(", ", policies)}] and rule {rule?.Name ?? "none"}.");
            var scopes = anonymous ? new HashSet<string>(StringComparer.Ordinal) : rule!.Scopes.ToHashSet(StringComparer.Ordinal);
            Assert.True(scopes.All(Scopes.All.Contains), $"{endpoint.RoutePattern.RawText}: [{string.Join(", ", scopes)}] are not all scopes.");
            foreach (var method in methods!)
            {
                result.Add(new AppEndpoint(method, endpoint.RoutePattern.RawText ?? "", SamplePath(endpoint.RoutePattern), scopes));
            }
        }

        return result;
    }

    /// <summary>A concrete path the pattern matches: every parameter becomes "p" ("/users/{id}/roles" -> "/users/p/roles").</summary>
    private static string SamplePath(Microsoft.AspNetCore.Routing.Patterns.RoutePattern pattern) =>
        "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
            _ => "p",
        }))));

    private sealed record AppEndpoint(string Method, string Pattern, string SamplePath, IReadOnlySet<string> Scopes)
    {
        public override string ToString() => $"{Method} {Pattern}";
    }
}

/// <summary>One HttpApi route of ApiFunction: method, path and the scopes its JWT authorizer demands (none when Authorizer is NONE).</summary>
internal sealed record GatewayRoute(string Method, string Path, IReadOnlySet<string> Scopes)
{
    public string[] Segments { get; } = Path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);

    public bool IsGreedy => Segments.Length > 0 && Segments[^1].EndsWith("+}", StringComparison.Ordinal);

    public static IReadOnlyList<GatewayRoute> AllOf(SamTemplate template)
    {
        var routes = new List<GatewayRoute>();
        foreach (var function in template.Functions())
        {
            foreach (var (name, properties) in function.Events("HttpApi"))
            {
                var auth = SamTemplate.Map(properties, "Auth");
                var open = SamTemplate.Scalar(auth, "Authorizer") == "NONE";
                var scopes = open
                    ? []
                    : (SamTemplate.Seq(auth, "AuthorizationScopes")?.Children ?? []).Select(s => ((YamlDotNet.RepresentationModel.YamlScalarNode)s).Value!).ToHashSet(StringComparer.Ordinal);
                Assert.True(open || scopes.Count > 0, $"{function.LogicalId}.Events.{name}: a route is either open (Authorizer: NONE) or names its scopes.");
                routes.Add(new GatewayRoute(
                    (SamTemplate.Scalar(properties, "Method") ?? "ANY").ToUpperInvariant(),
                    SamTemplate.Scalar(properties, "Path") ?? throw new InvalidOperationException($"{name} has no Path."),
                    scopes));
            }
        }

        return routes;
    }

    /// <summary>
    /// API Gateway's choice for a request (HTTP API route selection): full literal matches before routes with path
    /// variables, those before greedy {proxy+} routes, more literal segments first, an exact method before ANY.
    /// </summary>
    public static GatewayRoute? Select(IReadOnlyList<GatewayRoute> routes, string method, string path)
    {
        var request = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        return routes
            .Where(r => (r.Method == method || r.Method == "ANY") && r.Matches(request))
            .OrderByDescending(r => r.IsGreedy ? 0 : r.Segments.Any(IsVariable) ? 1 : 2)
            .ThenByDescending(r => r.Segments.Count(s => !IsVariable(s)))
            .ThenByDescending(r => r.Method == method)
            .FirstOrDefault();
    }

    private bool Matches(string[] request)
    {
        var fixedCount = IsGreedy ? Segments.Length - 1 : Segments.Length;
        if (IsGreedy ? request.Length <= fixedCount : request.Length != fixedCount)
        {
            return false;
        }

        for (var i = 0; i < fixedCount; i++)
        {
            if (!IsVariable(Segments[i]) && !string.Equals(Segments[i], request[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsVariable(string segment) => segment.StartsWith('{') && segment.EndsWith('}');

    public override string ToString() => $"{Method} {Path}";
}
