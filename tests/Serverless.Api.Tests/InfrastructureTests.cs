using System.Net;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Data.Table;
using Xunit;

namespace Serverless.Api.Tests;

public sealed class InfrastructureTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public void Table_settings_come_from_configuration()
    {
        var table = api.Services.GetRequiredService<TableOptions>();
        Assert.Equal(api.TableName, table.TableName);
        Assert.Equal("api-tests-cursor-signing-key-0123456789abcdef", table.CursorSigningKey);
    }

    [Fact]
    public void Every_table_option_can_be_configured()
    {
        // TableSettings mirrors TableOptions member by member; a new option in the data layer must be added there too.
        var options = typeof(TableOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).Order();
        var settings = typeof(Serverless.Api.Infrastructure.Data.TableSettings).GetProperties().Select(p => p.Name).Order();
        Assert.Equal(options, settings);
    }

    [Fact]
    public async Task Health_answers_without_a_token()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/health");
        var body = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("ok", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/no-such-thing", token: ApiFixture.AllScopes);
        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("No route matches GET /no-such-thing. The routes are listed in /openapi/v1.json.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem()
    {
        using var response = await api.SendAsync(HttpMethod.Put, "/health", "{}");
        var problem = await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Equal("/health does not take PUT; it takes GET.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_request_without_a_token_is_a_401_problem()
    {
        using var response = await api.SendAsync(HttpMethod.Get, $"/users/{Guid.NewGuid()}");
        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.StartsWith("No bearer token was sent. Send Authorization: Bearer <token>", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_a_401_problem()
    {
        var forged = DevAuth.CreateToken("mallory", [Scopes.Read], TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow, signingKey: "another-key-that-is-long-enough-for-hs256!!");
        using var response = await api.SendAsync(HttpMethod.Get, $"/users/{Guid.NewGuid()}", token: forged);
        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.StartsWith("The token's signature does not verify", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer" && h.Parameter!.Contains("invalid_token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_expired_token_is_a_401_problem()
    {
        var expired = DevAuth.CreateToken("late", [Scopes.Read], TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow.AddHours(-1));
        using var response = await api.SendAsync(HttpMethod.Get, $"/users/{Guid.NewGuid()}", token: expired);
        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.StartsWith("The token expired at ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer" && h.Parameter!.Contains("invalid_token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_for_another_audience_is_a_401_problem()
    {
        var foreign = DevAuth.CreateToken("x", [Scopes.Read], TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow, audience: "some-other-api");
        using var response = await api.SendAsync(HttpMethod.Get, $"/users/{Guid.NewGuid()}", token: foreign);
        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.StartsWith($"The token is not for this API: its audience (aud) must be {DevAuth.Audience}.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_a_401_problem_naming_the_trusted_issuer()
    {
        var foreign = DevAuth.CreateToken("x", [Scopes.Read], TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow, issuer: "https://elsewhere.example");
        using var response = await api.SendAsync(HttpMethod.Get, $"/users/{Guid.NewGuid()}", token: foreign);
        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.StartsWith($"The token was not issued by {DevAuth.Issuer}, the issuer this API trusts.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_without_the_scope_is_a_403_problem()
    {
        using var response = await api.SendAsync(HttpMethod.Get, $"/users/{Guid.NewGuid()}", token: ApiFixture.Token(Scopes.Write));
        var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.StartsWith("This route needs scope data.read or self.read; the token has: data.write.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_scopes_and_problem_responses_per_route()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/openapi/v1.json");
        var document = await response.ReadJsonAsync(HttpStatusCode.OK);
        var paths = document.GetProperty("paths");

        var createUser = paths.GetProperty("/users").GetProperty("post");
        var security = createUser.GetProperty("security")[0].GetProperty("bearer").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Equal([Scopes.Write], security);
        foreach (var status in new[] { "400", "401", "403", "409", "413", "415" })
        {
            Assert.True(createUser.GetProperty("responses").TryGetProperty(status, out var problem), $"POST /users lacks {status}");
            Assert.True(problem.GetProperty("content").TryGetProperty("application/problem+json", out _), $"POST /users {status} is not a problem");
        }

        var patchUser = paths.GetProperty("/users/{id}").GetProperty("patch");
        foreach (var status in new[] { "404", "412", "428", "503" })
        {
            Assert.True(patchUser.GetProperty("responses").TryGetProperty(status, out _), $"PATCH /users/{{id}} lacks {status}");
        }

        Assert.False(paths.GetProperty("/health").GetProperty("get").TryGetProperty("security", out _));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Every_route_in_the_OpenAPI_document_names_the_scope_its_endpoint_enforces_and_its_problem_responses()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/openapi/v1.json");
        var document = await response.ReadJsonAsync(HttpStatusCode.OK);
        var operations = document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name != "/health")
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Method: o.Name.ToUpperInvariant(), Path: p.Name, Operation: o.Value)))
            .ToList();

        // Every resource route of issue 4 is there (comments once per target type), and readiness.
        Assert.True(operations.Count == 33, $"{operations.Count} operations: {string.Join(", ", operations.Select(o => o.Method + " " + o.Path))}");
        var before = await api.SnapshotAsync();
        foreach (var (method, path, operation) in operations)
        {
            var route = method + " " + path;
            var scopes = operation.GetProperty("security")[0].GetProperty("bearer").EnumerateArray().Select(s => s.GetString()!).ToList();
            Assert.InRange(scopes.Count, 1, 2);
            Assert.All(scopes, scope => Assert.Contains(scope, Scopes.All));
            Assert.Single(scopes, Scopes.Service.Contains);

            // The endpoint's actual policy, by behaviour: each documented scope alone gets past authorization (the
            // request then fails on its empty body, missing If-Match or unknown ids, so nothing is written), and
            // every other scope together does not. An end-user token is sent as the user the path names, its own.
            var self = Guid.NewGuid();
            var concrete = ConcretePath(path, self);
            foreach (var scope in scopes)
            {
                using var allowed = await api.SendAsync(new HttpMethod(method), concrete, BodyFor(method), ApiFixture.TokenFor(self.ToString(), scope));
                Assert.True(
                    allowed.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                    $"{route} documents {scope} but refuses it with {(int)allowed.StatusCode}");
            }

            using var denied = await api.SendAsync(new HttpMethod(method), concrete, BodyFor(method), ApiFixture.TokenFor(self.ToString(), [.. Scopes.All.Where(s => !scopes.Contains(s))]));
            Assert.True(denied.StatusCode == HttpStatusCode.Forbidden, $"{route} documents {string.Join(", ", scopes)} but lets the other scopes through with {(int)denied.StatusCode}");

            var problems = operation.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5').ToList();
            // Readiness takes no input, so it has no 400; every other route reads an id, a query or a body.
            foreach (var status in path == "/health/ready" ? ["401", "403", "414", "431", "500", "503"] : new[] { "400", "401", "403", "414", "431", "500" })
            {
                Assert.True(problems.Any(r => r.Name == status), $"{route} lacks {status}");
            }

            Assert.All(problems, r => Assert.True(r.Value.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{route} {r.Name} is not a problem"));
        }

        await api.AssertUnchangedAsync(before);

        static string ConcretePath(string template, Guid user) =>
            System.Text.RegularExpressions.Regex.Replace(template, "{([^}]+)}", m => m.Groups[1].Value switch
            {
                "entityType" => "User",
                "id" => user.ToString(),
                _ => Guid.NewGuid().ToString(),
            });

        static string? BodyFor(string method) => method is "POST" or "PUT" or "PATCH" ? "{}" : null;
    }

    [Fact]
    public async Task Every_list_in_the_OpenAPI_document_takes_a_cursor_and_a_limit()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/openapi/v1.json");
        var document = await response.ReadJsonAsync(HttpStatusCode.OK);
        var lists = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Route: p.Name, Operation: o.Value)))
            .Where(o => o.Operation.GetProperty("responses").TryGetProperty("200", out var ok)
                && ok.GetProperty("content").GetProperty("application/json").GetProperty("schema").ToString().Contains("PageResponse", StringComparison.Ordinal))
            .ToList();

        // Every list route answers with a page: users (4 incl. search and a user's orders and roles), orders, products
        // (2), roles (2), comments (3), audit.
        Assert.True(lists.Count == 13, $"{lists.Count} lists: {string.Join(", ", lists.Select(l => l.Route))}");
        Assert.Contains(lists, l => l.Route == "/users/{id}/roles");
        Assert.All(lists, list =>
        {
            var query = list.Operation.GetProperty("parameters").EnumerateArray()
                .Where(p => p.GetProperty("in").GetString() == "query")
                .Select(p => p.GetProperty("name").GetString())
                .ToList();
            Assert.True(query.Contains("cursor") && query.Contains("limit"), $"{list.Route} takes only {string.Join(", ", query)}");
        });
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_seed_enum_names()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/openapi/v1.json");
        var document = await response.ReadJsonAsync(HttpStatusCode.OK);
        var text = document.GetProperty("components").GetProperty("schemas").ToString();
        Assert.Contains("\"suspended\"", text, StringComparison.Ordinal);
        Assert.Contains("\"home\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_API_reference_page_is_served_locally()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/scalar/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }
}
