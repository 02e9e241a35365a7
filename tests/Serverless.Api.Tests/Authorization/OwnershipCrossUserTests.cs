using System.Net;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests.Authorization;

/// <summary>
/// Every route, sent with user B's end-user token (self.read self.write) against user A's data: it gets the status
/// docs/security.md gives it and the table is the same item for item afterwards. A route of the app without a case
/// here fails <see cref="Every_route_of_the_app_has_a_cross_user_case"/>, so a new route cannot ship untested.
/// </summary>
public sealed class OwnershipCrossUserTests(OwnershipWorld world) : IClassFixture<OwnershipWorld>
{
    private sealed record Attempt(HttpMethod Method, string Path, string? Body = null, string? IfMatch = null);

    /// <summary>Route -> B's request against A's data, and the answer it must get.</summary>
    private static readonly Dictionary<string, (Func<OwnershipWorld, Attempt> Request, HttpStatusCode Status)> Cases = new()
    {
        // Users: anything naming A in the path is refused before it is read; listing and lookups are for services.
        ["GET /users"] = (w => new(HttpMethod.Get, "/users?status=active"), HttpStatusCode.Forbidden),
        ["GET /users/search"] = (w => new(HttpMethod.Get, "/users/search?q=alice"), HttpStatusCode.Forbidden),
        ["GET /users/{id}"] = (w => new(HttpMethod.Get, $"/users/{w.AId}"), HttpStatusCode.Forbidden),
        ["POST /users"] = (w => new(HttpMethod.Post, "/users", UserRequests.Body()), HttpStatusCode.Forbidden),
        ["PATCH /users/{id}"] = (w => new(HttpMethod.Patch, $"/users/{w.AId}", Json.Of(new { name = "Taken Over", password = "a new password for A" }), w.AETag), HttpStatusCode.Forbidden),
        ["DELETE /users/{id}"] = (w => new(HttpMethod.Delete, $"/users/{w.AId}", IfMatch: w.AETag), HttpStatusCode.Forbidden),
        ["POST /users/{id}/restore"] = (w => new(HttpMethod.Post, $"/users/{w.AId}/restore"), HttpStatusCode.Forbidden),
        ["GET /users/{id}/orders"] = (w => new(HttpMethod.Get, $"/users/{w.AId}/orders"), HttpStatusCode.Forbidden),
        ["GET /users/{id}/roles"] = (w => new(HttpMethod.Get, $"/users/{w.AId}/roles"), HttpStatusCode.Forbidden),
        ["PUT /users/{id}/roles/{roleId}"] = (w => new(HttpMethod.Put, $"/users/{w.AId}/roles/{w.Role.Id()}"), HttpStatusCode.Forbidden),
        ["DELETE /users/{id}/roles/{roleId}"] = (w => new(HttpMethod.Delete, $"/users/{w.AId}/roles/{w.Role.Id()}"), HttpStatusCode.Forbidden),
        ["GET /users/{id}/comments"] = (w => new(HttpMethod.Get, $"/users/{w.AId}/comments"), HttpStatusCode.Forbidden),
        ["POST /users/{id}/comments"] = (w => new(HttpMethod.Post, $"/users/{w.AId}/comments", Json.Of(new { content = "as B on A" })), HttpStatusCode.Forbidden),

        // Orders: A named in the query or the body is 403; A's order reached by its id is 404, as a missing one.
        ["GET /orders"] = (w => new(HttpMethod.Get, $"/orders?userId={w.AId}"), HttpStatusCode.Forbidden),
        ["GET /orders/{id}"] = (w => new(HttpMethod.Get, $"/orders/{w.Order.Id()}"), HttpStatusCode.NotFound),
        ["POST /orders"] = (w => new(HttpMethod.Post, "/orders", w.OrderBody(w.AId)), HttpStatusCode.Forbidden),
        ["PATCH /orders/{id}"] = (w => new(HttpMethod.Patch, $"/orders/{w.Order.Id()}", Json.Of(new { status = "cancelled" }), w.OrderETag), HttpStatusCode.NotFound),

        // Products: the catalogue is public; changing it, and the orders holding a product (other users'), are not.
        ["GET /products"] = (w => new(HttpMethod.Get, "/products"), HttpStatusCode.OK),
        ["GET /products/{id}"] = (w => new(HttpMethod.Get, $"/products/{w.Product.Id()}"), HttpStatusCode.OK),
        ["POST /products"] = (w => new(HttpMethod.Post, "/products", Json.Of(new { name = "B's product", price = 1m })), HttpStatusCode.Forbidden),
        ["PATCH /products/{id}"] = (w => new(HttpMethod.Patch, $"/products/{w.Product.Id()}", Json.Of(new { price = 0.01m }), w.ProductETag), HttpStatusCode.Forbidden),
        ["DELETE /products/{id}"] = (w => new(HttpMethod.Delete, $"/products/{w.Product.Id()}", IfMatch: w.ProductETag), HttpStatusCode.Forbidden),
        ["GET /products/{id}/orders"] = (w => new(HttpMethod.Get, $"/products/{w.Product.Id()}/orders"), HttpStatusCode.Forbidden),

        // Comments on public targets: readable; writing as A means naming A as author, which no body may do.
        ["GET /products/{id}/comments"] = (w => new(HttpMethod.Get, $"/products/{w.Product.Id()}/comments"), HttpStatusCode.OK),
        ["POST /products/{id}/comments"] = (w => new(HttpMethod.Post, $"/products/{w.Product.Id()}/comments", Json.Of(new { content = "as A", authorId = w.AId })), HttpStatusCode.BadRequest),
        ["GET /posts/{id}/comments"] = (w => new(HttpMethod.Get, $"/posts/{Guid.NewGuid()}/comments"), HttpStatusCode.OK),
        ["POST /posts/{id}/comments"] = (w => new(HttpMethod.Post, $"/posts/{Guid.NewGuid()}/comments", Json.Of(new { content = "as A", authorId = w.AId })), HttpStatusCode.BadRequest),

        // Roles and audit: services and administrators only.
        ["GET /roles"] = (w => new(HttpMethod.Get, "/roles"), HttpStatusCode.Forbidden),
        ["GET /health/ready"] = (w => new(HttpMethod.Get, "/health/ready"), HttpStatusCode.Forbidden),
        ["GET /roles/{id}"] = (w => new(HttpMethod.Get, $"/roles/{w.Role.Id()}"), HttpStatusCode.Forbidden),
        ["GET /roles/{id}/users"] = (w => new(HttpMethod.Get, $"/roles/{w.Role.Id()}/users"), HttpStatusCode.Forbidden),
        ["POST /roles"] = (w => new(HttpMethod.Post, "/roles", Json.Of(new { name = "b-made-" + Guid.NewGuid().ToString("N")[..8] })), HttpStatusCode.Forbidden),
        ["GET /audit/{entityType}/{id}"] = (w => new(HttpMethod.Get, $"/audit/User/{w.AId}"), HttpStatusCode.Forbidden),
    };

    public static TheoryData<string> Routes => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task User_B_against_user_A_gets_the_documented_status_and_writes_nothing(string route)
    {
        var (request, status) = Cases[route];
        var attempt = request(world);
        var before = await world.SnapshotAsync();

        using var response = await world.SendAsync(attempt.Method, attempt.Path, attempt.Body, world.BToken, attempt.IfMatch);

        Assert.True(response.StatusCode == status, $"{route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        if (status >= HttpStatusCode.BadRequest)
        {
            await response.AssertProblemAsync(status);
        }

        await world.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task What_B_reads_on_public_routes_names_no_user()
    {
        // The public routes are public because they carry nothing personal: no email or name of A in them.
        foreach (var route in Cases.Where(c => c.Value.Status == HttpStatusCode.OK).Select(c => c.Key))
        {
            var attempt = Cases[route].Request(world);
            using var response = await world.SendAsync(attempt.Method, attempt.Path, token: world.BToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotContain(world.A.GetProperty("email").GetString()!, body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Alice Owner", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_route_of_the_app_has_a_cross_user_case()
    {
        var routes = AppRoute.All().Where(r => !r.Anonymous).Select(r => r.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(routes, Cases.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_refused_end_user_is_told_what_an_end_user_token_may_do()
    {
        using var path = await world.SendAsync(HttpMethod.Get, $"/users/{world.AId}", token: world.BToken);
        var detail = (await path.AssertProblemAsync(HttpStatusCode.Forbidden)).GetProperty("detail").GetString()!;
        Assert.StartsWith("This route names another user than the token's subject.", detail, StringComparison.Ordinal);
        Assert.Contains("An end-user token (self.read, self.write) reaches only the user its subject (sub) names", detail, StringComparison.Ordinal);

        using var service = await world.SendAsync(HttpMethod.Get, "/users?status=active", token: world.BToken);
        detail = (await service.AssertProblemAsync(HttpStatusCode.Forbidden)).GetProperty("detail").GetString()!;
        Assert.StartsWith("This route needs scope data.read; the token has: self.read self.write. It is for service callers.", detail, StringComparison.Ordinal);

        using var body = await world.SendAsync(HttpMethod.Post, "/orders", world.OrderBody(world.AId), world.BToken);
        detail = (await body.AssertProblemAsync(HttpStatusCode.Forbidden)).GetProperty("detail").GetString()!;
        Assert.StartsWith("userId names another user than the token's subject", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_order_of_another_user_is_answered_exactly_as_a_missing_one()
    {
        var missing = Guid.NewGuid().ToString();
        using var others = await world.SendAsync(HttpMethod.Get, $"/orders/{world.Order.Id()}", token: world.BToken);
        using var none = await world.SendAsync(HttpMethod.Get, $"/orders/{missing}", token: world.BToken);
        var a = (await others.AssertProblemAsync(HttpStatusCode.NotFound)).GetProperty("detail").GetString();
        var b = (await none.AssertProblemAsync(HttpStatusCode.NotFound)).GetProperty("detail").GetString();
        Assert.Equal(b!.Replace(missing, "<id>", StringComparison.Ordinal), a!.Replace(world.Order.Id(), "<id>", StringComparison.Ordinal));
        Assert.Null(others.Headers.ETag);
    }
}
