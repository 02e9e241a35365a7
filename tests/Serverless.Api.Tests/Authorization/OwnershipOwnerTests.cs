using System.Net;
using System.Text.Json;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Serverless.Data.Table;
using Xunit;

namespace Serverless.Api.Tests.Authorization;

/// <summary>What an end user's own token may do with its own data (docs/security.md), and the limits inside it.</summary>
public sealed class OwnershipOwnerTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly string[] SelfScopes = [Scopes.SelfRead, Scopes.SelfWrite];

    [Fact]
    public async Task An_end_user_reads_and_changes_itself()
    {
        var (user, etag) = await api.CreateAsync();
        var token = ApiFixture.TokenFor(user.IdOf(), SelfScopes);

        using var read = await api.SendAsync(HttpMethod.Get, $"/users/{user.IdOf()}", token: token);
        Assert.Equal(user.GetProperty("email").GetString(), (await read.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("email").GetString());

        using var changed = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { name = "Renamed Self", phone = "+14155550100" }), token, etag);
        var body = await changed.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("Renamed Self", body.GetProperty("name").GetString());

        // Its own writes are recorded as its own: the last writer is the token's subject.
        var items = await api.ItemsAsync();
        var stored = Assert.Single(items, i => i[Attr.PK].S == KeyPrefix.User + user.IdOf() && i[Attr.EntityType].S == EntityTypes.User);
        Assert.Equal(user.IdOf(), stored[Attr.LastWriter].S);
    }

    [Theory]
    [InlineData("{\"status\":\"active\"}")]
    [InlineData("{\"balance\":1000000}")]
    [InlineData("{\"name\":\"Fine\",\"balance\":5}")]
    public async Task An_end_user_may_not_set_its_own_status_or_balance(string patch)
    {
        var (user, etag) = await api.CreateAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", patch, ApiFixture.TokenFor(user.IdOf(), SelfScopes), etag);
        var detail = (await response.AssertProblemAsync(HttpStatusCode.Forbidden)).GetProperty("detail").GetString();
        Assert.StartsWith("An end-user token may not change a user's status or balance.", detail, StringComparison.Ordinal);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task An_end_user_may_delete_itself_but_not_undo_it()
    {
        var (user, etag) = await api.CreateAsync();
        var token = ApiFixture.TokenFor(user.IdOf(), SelfScopes);
        using var deleted = await api.SendAsync(HttpMethod.Delete, $"/users/{user.IdOf()}", token: token, ifMatch: etag);
        Assert.Equal("deleted", (await deleted.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString());

        var before = await api.SnapshotAsync();
        using var restore = await api.SendAsync(HttpMethod.Post, $"/users/{user.IdOf()}/restore", token: token);
        await restore.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task An_end_user_places_orders_in_its_own_name_and_reads_them()
    {
        var (user, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(2m);
        var token = ApiFixture.TokenFor(user.IdOf(), SelfScopes);
        var lines = new[] { new { productId = product.Id(), quantity = 1 } };

        using var implicitly = await api.SendAsync(HttpMethod.Post, "/orders", Json.Of(new { items = lines }), token);
        var first = await implicitly.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(user.IdOf(), first.GetProperty("userId").GetString());
        using var explicitly = await api.SendAsync(HttpMethod.Post, "/orders", Json.Of(new { userId = user.IdOf(), items = lines }), token);
        var second = await explicitly.ReadJsonAsync(HttpStatusCode.Created);

        using var one = await api.SendAsync(HttpMethod.Get, $"/orders/{first.Id()}", token: token);
        Assert.Equal(first.Id(), (await one.ReadJsonAsync(HttpStatusCode.OK)).Id());
        foreach (var path in new[] { "/orders", $"/orders?userId={user.IdOf()}", $"/users/{user.IdOf()}/orders" })
        {
            using var list = await api.SendAsync(HttpMethod.Get, path, token: token);
            var ids = (await list.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(o => o.Id()).ToList();
            Assert.Equal([second.Id(), first.Id()], ids);
        }
    }

    [Fact]
    public async Task A_service_caller_still_places_an_order_for_a_named_user_and_must_name_one()
    {
        var (user, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(2m);
        var (order, _) = await api.PostAsync("/orders", new { userId = user.IdOf(), items = new[] { new { productId = product.Id(), quantity = 1 } } });
        Assert.Equal(user.IdOf(), order.GetProperty("userId").GetString());

        var before = await api.SnapshotAsync();
        using var unnamed = await api.SendAsync(HttpMethod.Post, "/orders", Json.Of(new { items = new[] { new { productId = product.Id(), quantity = 1 } } }), ApiFixture.AllScopes);
        await unnamed.AssertFieldErrorAsync("userId");
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task An_end_user_may_cancel_its_order_and_nothing_else()
    {
        var (user, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(2m);
        var (order, etag) = await api.PostAsync("/orders", new { userId = user.IdOf(), items = new[] { new { productId = product.Id(), quantity = 1 } } });
        var token = ApiFixture.TokenFor(user.IdOf(), SelfScopes);

        var before = await api.SnapshotAsync();
        foreach (var status in new[] { "processing", "shipped", "delivered" })
        {
            using var refused = await api.SendAsync(HttpMethod.Patch, $"/orders/{order.Id()}", Json.Of(new { status }), token, etag);
            var detail = (await refused.AssertProblemAsync(HttpStatusCode.Forbidden)).GetProperty("detail").GetString();
            Assert.StartsWith("An end-user token may not move an order to any status but cancelled.", detail, StringComparison.Ordinal);
        }

        await api.AssertUnchangedAsync(before);
        using var cancelled = await api.SendAsync(HttpMethod.Patch, $"/orders/{order.Id()}", Json.Of(new { status = "cancelled" }), token, etag);
        Assert.Equal("cancelled", (await cancelled.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_end_user_reads_its_roles_but_cannot_grant_itself_one()
    {
        var (user, _) = await api.CreateAsync();
        var (role, _) = await api.PostAsync("/roles", new { name = "reader-" + Guid.NewGuid().ToString("N")[..8] });
        var (other, _) = await api.PostAsync("/roles", new { name = "admin-" + Guid.NewGuid().ToString("N")[..8] });
        using (var assigned = await api.SendAsync(HttpMethod.Put, $"/users/{user.IdOf()}/roles/{role.Id()}", token: ApiFixture.AllScopes))
        {
            Assert.Equal(HttpStatusCode.Created, assigned.StatusCode);
        }

        var token = ApiFixture.TokenFor(user.IdOf(), SelfScopes);
        using var roles = await api.SendAsync(HttpMethod.Get, $"/users/{user.IdOf()}/roles", token: token);
        var held = Assert.Single((await roles.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
        Assert.Equal(role.GetProperty("name").GetString(), held.GetProperty("roleName").GetString());

        var before = await api.SnapshotAsync();
        using var grant = await api.SendAsync(HttpMethod.Put, $"/users/{user.IdOf()}/roles/{other.Id()}", token: token);
        await grant.AssertProblemAsync(HttpStatusCode.Forbidden);
        using var revoke = await api.SendAsync(HttpMethod.Delete, $"/users/{user.IdOf()}/roles/{role.Id()}", token: token);
        await revoke.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task An_end_user_comments_as_itself_and_reads_comments_where_the_read_routes_allow()
    {
        var (user, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(2m);
        var token = ApiFixture.TokenFor(user.IdOf(), SelfScopes);
        foreach (var target in new[] { $"/posts/{Guid.NewGuid()}", $"/products/{product.Id()}", $"/users/{user.IdOf()}" })
        {
            using var posted = await api.SendAsync(HttpMethod.Post, $"{target}/comments", Json.Of(new { content = "mine" }), token);
            var comment = await posted.ReadJsonAsync(HttpStatusCode.Created);
            Assert.Equal(user.IdOf(), comment.GetProperty("authorId").GetString());

            using var list = await api.SendAsync(HttpMethod.Get, $"{target}/comments", token: token);
            Assert.Contains((await list.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray(), c => c.Id() == comment.Id());
        }

        using var products = await api.SendAsync(HttpMethod.Get, "/products", token: ApiFixture.TokenFor(user.IdOf(), Scopes.SelfRead));
        Assert.Contains((await products.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray(), p => p.Id() == product.Id());
    }

    [Fact]
    public async Task A_self_scope_on_a_subject_that_is_no_user_id_is_refused_everywhere()
    {
        var (user, etag) = await api.CreateAsync();
        var before = await api.SnapshotAsync();
        var token = ApiFixture.TokenFor("not-a-user-id", SelfScopes);
        foreach (var (method, path, body) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Get, "/products", null),
            (HttpMethod.Get, "/orders", null),
            (HttpMethod.Post, $"/posts/{Guid.NewGuid()}/comments", Json.Of(new { content = "who am I" })),
            (HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { name = "Nobody" })),
        })
        {
            using var response = await api.SendAsync(method, path, body, token, etag);
            var detail = (await response.AssertProblemAsync(HttpStatusCode.Forbidden)).GetProperty("detail").GetString();
            Assert.Contains("its subject must be a user id (UUID)", detail, StringComparison.Ordinal);
        }

        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task A_token_with_a_service_scope_acts_as_a_service_on_the_routes_that_scope_opens()
    {
        // data.read makes it a service reader; self.write still makes it an end user for writes.
        var (a, _) = await api.CreateAsync();
        var (b, bETag) = await api.CreateAsync();
        var token = ApiFixture.TokenFor(a.IdOf(), Scopes.Read, Scopes.SelfWrite);
        using var read = await api.SendAsync(HttpMethod.Get, $"/users/{b.IdOf()}", token: token);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        var before = await api.SnapshotAsync();
        using var write = await api.SendAsync(HttpMethod.Patch, $"/users/{b.IdOf()}", Json.Of(new { name = "Not Yours" }), token, bETag);
        await write.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task The_OpenAPI_document_takes_no_author_and_lets_an_order_leave_its_user_out()
    {
        var document = await ReadDocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");

        var comment = schemas.GetProperty("CreateCommentRequest");
        Assert.Equal(["content"], comment.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        var order = schemas.GetProperty("CreateOrderRequest");
        Assert.True(order.GetProperty("properties").TryGetProperty("userId", out _));
        Assert.DoesNotContain("userId", order.GetProperty("required").EnumerateArray().Select(r => r.GetString()));

        var get = document.GetProperty("paths").GetProperty("/users/{id}").GetProperty("get");
        Assert.Contains("An end-user token (`self.read`): only when {id} is its subject.", get.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private async Task<JsonElement> ReadDocumentAsync()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/openapi/v1.json");
        return await response.ReadJsonAsync(HttpStatusCode.OK);
    }
}
