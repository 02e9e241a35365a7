using System.Net;
using System.Text.Json;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>
/// Issue 4: the same requests sent as HTTP API 2.0 events through <c>invoke</c> give the same status codes as over
/// Kestrel. Each case arranges its own state through the host under test (so a cursor is one that host signed, an
/// ETag one that host issued), then sends one request; both hosts must answer with the status the case expects, and
/// errors must be the same problem (media type, type, title, fields named).
/// </summary>
public sealed class LambdaParityTests(LambdaFunctionFixture api) : IClassFixture<LambdaFunctionFixture>
{
    private static readonly string[] Read = [Scopes.Read];
    private static readonly string[] Write = [Scopes.Write];
    private static readonly string[] Admin = [Scopes.Admin];
    private static readonly string[] All = [Scopes.Read, Scopes.Write, Scopes.Admin];

    /// <summary>Sends one request to one host.</summary>
    public delegate Task<ApiResult> Host(ApiRequest request);

    private sealed record Case(HttpStatusCode Expected, Func<Host, Task<ApiRequest>> Arrange);

    private static readonly Dictionary<string, Case> Cases = new(StringComparer.Ordinal)
    {
        ["201 create a user"] = new(HttpStatusCode.Created, _ => Done(new ApiRequest(HttpMethod.Post, "/users", UserRequests.Body(), Write))),
        ["200 read a user"] = new(HttpStatusCode.OK, async host => new ApiRequest(HttpMethod.Get, $"/users/{(await CreateUserAsync(host)).Id}", Scopes: Read)),
        ["200 patch a user with its ETag"] = new(HttpStatusCode.OK, async host =>
        {
            var (id, etag) = await CreateUserAsync(host);
            return new ApiRequest(HttpMethod.Patch, $"/users/{id}", Json.Of(new { name = "Patched Person" }), Write, etag);
        }),
        ["200 second page of a list with the host's own cursor"] = new(HttpStatusCode.OK, async host =>
        {
            var city = await CreateUsersInACityAsync(host);
            var cursor = await NextCursorAsync(host, $"/users?city={city}&limit=1");
            return new ApiRequest(HttpMethod.Get, $"/users?city={city}&limit=1&cursor={Uri.EscapeDataString(cursor)}", Scopes: Read);
        }),
        ["201 place an order"] = new(HttpStatusCode.Created, async host =>
        {
            var (user, _) = await CreateUserAsync(host);
            var (product, _) = await CreateProductAsync(host);
            return new ApiRequest(HttpMethod.Post, "/orders", Json.Of(new { userId = user, items = new[] { new { productId = product, quantity = 2 } } }), Write);
        }),
        ["201 grant a role"] = new(HttpStatusCode.Created, async host =>
        {
            var (user, _) = await CreateUserAsync(host);
            // Each host arranges its own role, and role names are unique.
            var role = await CreateAsync(host, "/roles", Json.Of(new { name = "Parity " + Guid.NewGuid().ToString("N") }), Admin);
            return new ApiRequest(HttpMethod.Put, $"/users/{user}/roles/{role.Id}", Scopes: Admin);
        }),
        ["204 delete a product with its ETag"] = new(HttpStatusCode.NoContent, async host =>
        {
            var (id, etag) = await CreateProductAsync(host);
            return new ApiRequest(HttpMethod.Delete, $"/products/{id}", Scopes: Write, IfMatch: etag);
        }),
        ["200 health without a principal"] = new(HttpStatusCode.OK, _ => Done(new ApiRequest(HttpMethod.Get, "/health"))),
        ["400 unknown body property"] = new(HttpStatusCode.BadRequest, _ => Done(new ApiRequest(HttpMethod.Post, "/users", UserRequests.Body(extra: new { nickname = "x" }), Write))),
        ["400 malformed JSON"] = new(HttpStatusCode.BadRequest, _ => Done(new ApiRequest(HttpMethod.Post, "/products", "{\"name\": ", Write))),
        ["400 invalid email"] = new(HttpStatusCode.BadRequest, _ => Done(new ApiRequest(HttpMethod.Post, "/users", UserRequests.Body(email: "not-an-email"), Write))),
        ["400 bad query limit"] = new(HttpStatusCode.BadRequest, _ => Done(new ApiRequest(HttpMethod.Get, "/users?city=Anywhere&limit=0", Scopes: Read))),
        ["400 conflicting query selectors"] = new(HttpStatusCode.BadRequest, _ => Done(new ApiRequest(HttpMethod.Get, "/users?email=a@example.com&city=x", Scopes: Read))),
        ["400 string member sent a number"] = new(HttpStatusCode.BadRequest, _ => Done(new ApiRequest(
            HttpMethod.Post, "/users", UserRequests.Body().Replace("\"Ann Example\"", "123", StringComparison.Ordinal), Write))),
        ["400 order line product id not a UUID"] = new(HttpStatusCode.BadRequest, _ => Done(new ApiRequest(
            HttpMethod.Post, "/orders", Json.Of(new { userId = Guid.NewGuid(), items = new[] { new { productId = "nope", quantity = 1 } } }), Write))),
        ["400 createdWithinDays out of range"] = new(HttpStatusCode.BadRequest, _ => Done(new ApiRequest(HttpMethod.Get, "/users?createdWithinDays=0", Scopes: Read))),
        ["414 query over every host's limit"] = new(HttpStatusCode.RequestUriTooLong, _ => Done(new ApiRequest(HttpMethod.Get, "/users?city=" + new string('x', 9000), Scopes: Read))),
        ["400 malformed route id"] = new(HttpStatusCode.BadRequest, _ => Done(new ApiRequest(HttpMethod.Get, "/orders/not-a-uuid", Scopes: Read))),
        ["400 tampered cursor"] = new(HttpStatusCode.BadRequest, async host =>
        {
            var city = await CreateUsersInACityAsync(host);
            var cursor = await NextCursorAsync(host, $"/users?city={city}&limit=1");
            return new ApiRequest(HttpMethod.Get, $"/users?city={city}&limit=1&cursor={Uri.EscapeDataString(Resources.Tampered(cursor))}", Scopes: Read);
        }),
        ["401 read without a principal"] = new(HttpStatusCode.Unauthorized, _ => Done(new ApiRequest(HttpMethod.Get, $"/users/{Guid.NewGuid()}"))),
        ["401 write without a principal"] = new(HttpStatusCode.Unauthorized, _ => Done(new ApiRequest(HttpMethod.Post, "/users", UserRequests.Body()))),
        ["403 write with only the read scope"] = new(HttpStatusCode.Forbidden, _ => Done(new ApiRequest(HttpMethod.Post, "/users", UserRequests.Body(), Read))),
        ["403 audit without the admin scope"] = new(HttpStatusCode.Forbidden, _ => Done(new ApiRequest(HttpMethod.Get, $"/audit/User/{Guid.NewGuid()}", Scopes: [Scopes.Read, Scopes.Write]))),
        ["404 unknown user"] = new(HttpStatusCode.NotFound, _ => Done(new ApiRequest(HttpMethod.Get, $"/users/{Guid.NewGuid()}", Scopes: Read))),
        ["404 unknown route"] = new(HttpStatusCode.NotFound, _ => Done(new ApiRequest(HttpMethod.Get, "/no-such-thing", Scopes: All))),
        ["405 wrong method"] = new(HttpStatusCode.MethodNotAllowed, _ => Done(new ApiRequest(HttpMethod.Put, "/health", "{}"))),
        ["409 duplicate email"] = new(HttpStatusCode.Conflict, async host =>
        {
            var email = Json.UniqueEmail();
            await CreateAsync(host, "/users", UserRequests.Body(email), Write);
            return new ApiRequest(HttpMethod.Post, "/users", UserRequests.Body(email), Write);
        }),
        ["409 order status step the lifecycle refuses"] = new(HttpStatusCode.Conflict, async host =>
        {
            var (user, _) = await CreateUserAsync(host);
            var (product, _) = await CreateProductAsync(host);
            var order = await CreateAsync(host, "/orders", Json.Of(new { userId = user, items = new[] { new { productId = product, quantity = 1 } } }), Write);
            return new ApiRequest(HttpMethod.Patch, $"/orders/{order.Id}", Json.Of(new { status = "delivered" }), Write, order.ETag);
        }),
        ["412 stale If-Match"] = new(HttpStatusCode.PreconditionFailed, async host =>
        {
            var (id, etag) = await CreateUserAsync(host);
            var first = await host(new ApiRequest(HttpMethod.Patch, $"/users/{id}", Json.Of(new { name = "First Change" }), Write, etag));
            Assert.Equal(200, first.Status);
            return new ApiRequest(HttpMethod.Patch, $"/users/{id}", Json.Of(new { name = "Lost Change" }), Write, etag);
        }),
        ["413 body over every host's limit"] = new(HttpStatusCode.RequestEntityTooLarge, _ => Done(new ApiRequest(
            HttpMethod.Post, "/users", UserRequests.Body(extra: new { profile = new { bio = new string('b', 200 * 1024) } }), Write))),
        ["415 not JSON"] = new(HttpStatusCode.UnsupportedMediaType, _ => Done(new ApiRequest(HttpMethod.Post, "/users", UserRequests.Body(), Write, ContentType: "text/plain"))),
        ["428 PATCH without If-Match"] = new(HttpStatusCode.PreconditionRequired, async host =>
        {
            var (id, _) = await CreateUserAsync(host);
            return new ApiRequest(HttpMethod.Patch, $"/users/{id}", Json.Of(new { name = "Unconditional" }), Write);
        }),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task The_same_request_gets_the_same_status_and_problem_over_Kestrel_and_as_an_HTTP_API_event(string name)
    {
        var @case = Cases[name];
        var kestrel = await SendAsync(@case, OverKestrelAsync);
        var lambda = await SendAsync(@case, api.InvokeAsync);

        Assert.True((int)@case.Expected == kestrel.Status, $"Kestrel answered {kestrel.Status}: {kestrel.Body}");
        Assert.True(kestrel.Status == lambda.Status, $"Kestrel {kestrel.Status}, Lambda {lambda.Status}: {lambda.Body}\n{api.LambdaLog}");
        if (kestrel.Status >= 400)
        {
            Assert.Equal("application/problem+json", kestrel.MediaType);
            Assert.Equal(kestrel.MediaType, lambda.MediaType);
            var (expected, actual) = (kestrel.Json()!.Value, lambda.Json()!.Value);
            Assert.Equal(Text(expected, "type"), Text(actual, "type"));
            Assert.Equal(Text(expected, "title"), Text(actual, "title"));
            Assert.Equal(lambda.Status, actual.GetProperty("status").GetInt32());
            Assert.Equal(FieldsNamed(expected), FieldsNamed(actual));
            Assert.Equal(Messages(expected), Messages(actual));
            Assert.Null(ErrorMessagesTests.CheckProblem(kestrel.Status, kestrel.MediaType, kestrel.Body));
            Assert.Null(ErrorMessagesTests.CheckProblem(lambda.Status, lambda.MediaType, lambda.Body));
        }
        else
        {
            Assert.Equal(kestrel.MediaType, lambda.MediaType);
            Assert.Equal(kestrel.ETag is null, lambda.ETag is null);
        }
    }

    public static TheoryData<string, string> CliCases() => new()
    {
        { "403 write with only the read scope", "forbidden" },
        { "400 malformed route id", "bad-id" },
    };

    [Theory]
    [MemberData(nameof(CliCases))]
    public async Task The_invoke_CLI_on_an_event_file_answers_as_Kestrel_does_and_writes_nothing(string name, string file)
    {
        var @case = Cases[name];
        var request = await @case.Arrange(OverKestrelAsync);
        var kestrel = await OverKestrelAsync(request);

        var folder = Directory.CreateTempSubdirectory("parity-");
        try
        {
            var eventFile = Path.Combine(folder.FullName, file + ".json");
            await File.WriteAllBytesAsync(eventFile, HttpApiEvents.Create(request), TestContext.Current.CancellationToken);
            var before = await api.SnapshotAsync();

            var result = await InvokeCli.InvokeAsync(LambdaFunctionFixture.FunctionName, eventFile, api.DynamoDbServiceUrl, api.TableName);

            Assert.True(result.ExitCode == 0, result.Stderr);
            using var response = JsonDocument.Parse(result.Stdout);
            var cli = ApiResult.FromHttpApiResponse(response.RootElement);
            Assert.Equal((int)@case.Expected, kestrel.Status);
            Assert.Equal(kestrel.Status, cli.Status);
            Assert.Equal(kestrel.MediaType, cli.MediaType);
            Assert.Equal(Text(kestrel.Json()!.Value, "type"), Text(cli.Json()!.Value, "type"));
            Assert.Equal(FieldsNamed(kestrel.Json()!.Value), FieldsNamed(cli.Json()!.Value));
            await api.AssertUnchangedAsync(before);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<ApiResult> SendAsync(Case @case, Host host) => await host(await @case.Arrange(host));

    private async Task<ApiResult> OverKestrelAsync(ApiRequest request)
    {
        var token = request.Scopes is null ? null : ApiFixture.TokenFor(request.Subject, [.. request.Scopes]);
        using var response = await api.SendAsync(request.Method, request.PathAndQuery, request.Body, token, request.IfMatch, request.ContentType);
        return await ApiResult.FromAsync(response, TestContext.Current.CancellationToken);
    }

    private static Task<ApiRequest> Done(ApiRequest request) => Task.FromResult(request);

    private static async Task<(string Id, string ETag)> CreateAsync(Host host, string path, string body, string[] scopes)
    {
        var result = await host(new ApiRequest(HttpMethod.Post, path, body, scopes));
        Assert.True(result.Status == 201, $"POST {path}: {result.Status} {result.Body}");
        return (result.Json()!.Value.Id(), result.ETag!);
    }

    private static Task<(string Id, string ETag)> CreateUserAsync(Host host) => CreateAsync(host, "/users", UserRequests.Body(), Write);

    private static Task<(string Id, string ETag)> CreateProductAsync(Host host) =>
        CreateAsync(host, "/products", Json.Of(new { name = "Parity product", price = 2.5m }), Write);

    private static async Task<string> CreateUsersInACityAsync(Host host)
    {
        var city = "Parity" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 2; i++)
        {
            await CreateAsync(host, "/users", UserRequests.Body(extra: new { addresses = new[] { new { type = "home", street = $"{i} Road", city, country = "NL" } } }), Write);
        }

        return city;
    }

    private static async Task<string> NextCursorAsync(Host host, string path)
    {
        var page = await host(new ApiRequest(HttpMethod.Get, path, Scopes: Read));
        Assert.True(page.Status == 200, $"GET {path}: {page.Status} {page.Body}");
        return page.Json()!.Value.GetProperty("nextCursor").GetString()!;
    }

    private static string? Text(JsonElement problem, string property) =>
        problem.TryGetProperty(property, out var value) ? value.GetString() : null;

    private static List<string> Messages(JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors)
            ? [.. errors.EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(m => $"{e.Name}: {m.GetString()}")).Order(StringComparer.Ordinal)]
            : [];

    private static List<string> FieldsNamed(JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors) ? [.. errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal)] : [];
}
