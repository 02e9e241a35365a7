using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Xunit;

namespace Serverless.Api.Tests.Authorization;

/// <summary>
/// Authorization is declared on route groups, and a fallback policy holds any route that declares nothing, so no
/// endpoint is open unless it says so: only the liveness probe and the API reference are.
/// </summary>
public sealed class RouteAuthorizationTests(RouteAuthorizationTests.UndeclaredRouteHost host) : IClassFixture<RouteAuthorizationTests.UndeclaredRouteHost>
{
    [Fact]
    public void Every_endpoint_requires_a_scope_except_the_ones_declared_anonymous()
    {
        using var app = ApiApp.Build(UndeclaredRouteHost.CreateBuilder());
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
        var anonymous = new List<string>();
        var withoutScope = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                anonymous.Add(pattern);
                continue;
            }

            // A policy is named by the scopes that may reach the route, and comes with the route's access rule.
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            var rule = endpoint.Metadata.GetMetadata<AccessRule>();
            if (policies.Count != 1 || rule is null || policies[0] != rule.Policy || !rule.Scopes.All(Scopes.All.Contains))
            {
                withoutScope.Add($"{pattern} [{string.Join(", ", policies)}]");
            }
        }

        Assert.True(endpoints.Count > anonymous.Count + 30, $"Only {endpoints.Count} endpoints, {anonymous.Count} of them anonymous.");
        Assert.True(withoutScope.Count == 0, "Endpoints that neither require a scope nor are declared anonymous: " + string.Join(", ", withoutScope));
        // The API reference (served here, as locally) is Scalar's page and its assets, all under /scalar.
        Assert.All(anonymous, pattern => Assert.True(
            pattern is "/health/" or "/openapi/{documentName}.json" || pattern.StartsWith("/scalar/", StringComparison.Ordinal),
            $"{pattern} is anonymous"));
        Assert.Contains("/health/", anonymous);
        Assert.Contains("/openapi/{documentName}.json", anonymous);
        Assert.Contains(anonymous, pattern => pattern.StartsWith("/scalar/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_route_that_declares_nothing_is_refused_to_a_caller_without_a_token()
    {
        using var response = await host.GetAsync(UndeclaredRouteHost.Route, token: null);
        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.StartsWith("No bearer token was sent.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_route_that_declares_nothing_needs_the_read_scope()
    {
        using var writeOnly = await host.GetAsync(UndeclaredRouteHost.Route, ApiFixture.Token(Scopes.Write, Scopes.Admin));
        var problem = await writeOnly.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.StartsWith("This route needs scope data.read; the token has: data.write data.admin.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var reader = await host.GetAsync(UndeclaredRouteHost.Route, ApiFixture.Token(Scopes.Read));
        Assert.Equal(HttpStatusCode.OK, reader.StatusCode);
        Assert.Equal("reached", await reader.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Requests_no_route_takes_keep_their_answers_for_a_caller_without_a_token()
    {
        // The fallback policy is asked about these too; it must not turn them into 401s.
        using var unknown = await host.GetAsync("/no-such-thing", token: null);
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);

        using var request = new HttpRequestMessage(HttpMethod.Delete, UndeclaredRouteHost.Route);
        using var wrongMethod = await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var problem = await wrongMethod.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Equal($"{UndeclaredRouteHost.Route} does not take DELETE; it takes GET.", problem.GetProperty("detail").GetString());
    }

    /// <summary>The app as every host composes it, plus one route mapped without any authorization declaration.</summary>
    public sealed class UndeclaredRouteHost : IAsyncLifetime
    {
        public const string Route = "/undeclared";

        private WebApplication? _app;

        public HttpClient Http { get; private set; } = null!;

        /// <summary>No table is touched: the configuration is only what building and authorizing need.</summary>
        public static WebApplicationBuilder CreateBuilder()
        {
            var builder = ApiApp.CreateBuilder(new WebApplicationOptions { EnvironmentName = Microsoft.Extensions.Hosting.Environments.Development });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Auth:TrustHostPrincipal"] = "false",
                ["Api:ServeApiReference"] = "true",
            });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            return builder;
        }

        public async ValueTask InitializeAsync()
        {
            _app = ApiApp.Build(CreateBuilder());
            _app.MapGet(Route, () => "reached");
            await _app.StartAsync(TestContext.Current.CancellationToken);
            var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            Http = new HttpClient { BaseAddress = new Uri(address) };
        }

        public async Task<HttpResponseMessage> GetAsync(string path, string? token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return await Http.SendAsync(request, TestContext.Current.CancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            Http?.Dispose();
            if (_app is not null)
            {
                await _app.StopAsync(CancellationToken.None);
                await _app.DisposeAsync();
            }
        }
    }
}
