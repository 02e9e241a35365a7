using System.Net;
using System.Text.Json;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests.Orders;

public sealed class OrdersTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Creating_an_order_prices_it_from_the_products_and_computes_the_total()
    {
        var (user, _) = await api.CreateAsync();
        var (mug, _) = await api.CreateProductAsync(4.25m);
        var (pen, _) = await api.CreateProductAsync(1.10m);

        var (order, etag) = await api.PostAsync("/orders", new
        {
            userId = user.IdOf(),
            items = new[] { new { productId = mug.Id(), quantity = 2 }, new { productId = pen.Id(), quantity = 3 } },
        });

        Assert.Equal("\"1\"", etag);
        Assert.Equal("pending", order.GetProperty("status").GetString());
        Assert.Equal(11.80m, order.GetProperty("total").GetDecimal());
        Assert.Equal(user.GetProperty("email").GetString(), order.GetProperty("userEmail").GetString());
        var read = await api.GetOkAsync($"/orders/{order.Id()}");
        Assert.Equal(2, read.GetProperty("items").GetArrayLength());
        Assert.Contains(read.GetProperty("items").EnumerateArray(), i => i.GetProperty("unitPrice").GetDecimal() == 4.25m && i.GetProperty("lineTotal").GetDecimal() == 8.50m);
    }

    [Fact]
    public async Task A_total_sent_by_the_client_is_refused_and_nothing_is_written()
    {
        var (user, _) = await api.CreateAsync();
        var (mug, _) = await api.CreateProductAsync(4m);
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, "/orders", Json.Of(new { userId = user.IdOf(), total = 0.01m, items = new[] { new { productId = mug.Id(), quantity = 1 } } }), ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("total");
        await api.AssertUnchangedAsync(before);
    }

    public static TheoryData<string, string> InvalidOrders => new()
    {
        { "{\"userId\":\"USER\",\"items\":[{\"productId\":\"PRODUCT\",\"quantity\":0}]}", "items[0].quantity" },
        { "{\"userId\":\"USER\",\"items\":[{\"productId\":\"PRODUCT\",\"quantity\":1.5}]}", "items[0].quantity" },
        { "{\"userId\":\"USER\",\"items\":[{\"productId\":\"PRODUCT\",\"quantity\":\"2\"}]}", "items[0].quantity" },
        { "{\"userId\":\"USER\",\"items\":[{\"productId\":\"not-a-uuid\",\"quantity\":1}]}", "items[0].productId" },
        { "{\"userId\":\"USER\",\"items\":[{\"productId\":\"" + Guid.NewGuid() + "\",\"quantity\":1}]}", "items[0].productId" },
        { "{\"userId\":\"" + Guid.NewGuid() + "\",\"items\":[{\"productId\":\"PRODUCT\",\"quantity\":1}]}", "userId" },
        { "{\"userId\":\"USER\",\"items\":[]}", "items" },
        { "{\"userId\":\"USER\",\"items\":[{\"productId\":\"PRODUCT\",\"quantity\":1},{\"productId\":\"PRODUCT\",\"quantity\":2}]}", "items[1].productId" },
        { "{\"userId\":\"USER\",\"status\":\"shipped\",\"items\":[{\"productId\":\"PRODUCT\",\"quantity\":1}]}", "status" },
        { "{\"userId\":\"USER\",\"items\":[{\"productId\":\"PRODUCT\",\"quantity\":1,\"unitPrice\":0}]}", "items[0].unitPrice" },
    };

    [Theory]
    [MemberData(nameof(InvalidOrders))]
    public async Task Creating_an_invalid_order_returns_400_naming_the_field_and_writes_nothing(string template, string field)
    {
        var (user, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(3m);
        var before = await api.SnapshotAsync();
        var body = template.Replace("USER", user.IdOf(), StringComparison.Ordinal).Replace("PRODUCT", product.Id(), StringComparison.Ordinal);
        using var response = await api.SendAsync(HttpMethod.Post, "/orders", body, ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync(field);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task The_status_moves_through_the_lifecycle_and_refuses_other_steps_with_409()
    {
        var order = await CreateOrderAsync();
        var path = $"/orders/{order.Id()}";
        var etag = "\"1\"";
        foreach (var next in new[] { "processing", "shipped" })
        {
            using var step = await api.SendAsync(HttpMethod.Patch, path, Json.Of(new { status = next }), ApiFixture.AllScopes, etag);
            Assert.Equal(next, (await step.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString());
            etag = step.Headers.ETag!.ToString();
        }

        var before = await api.SnapshotAsync();
        // Staying "shipped" is no step either, but it is no refusal: nothing changes (see UnchangingWritesTests).
        foreach (var refused in new[] { "cancelled", "pending" })
        {
            using var response = await api.SendAsync(HttpMethod.Patch, path, Json.Of(new { status = refused }), ApiFixture.AllScopes, etag);
            await response.AssertFieldErrorAsync("status", HttpStatusCode.Conflict);
        }

        await api.AssertUnchangedAsync(before);
        using var delivered = await api.SendAsync(HttpMethod.Patch, path, Json.Of(new { status = "delivered" }), ApiFixture.AllScopes, etag);
        Assert.Equal("delivered", (await delivered.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_pending_order_can_be_cancelled_and_then_never_moves_again()
    {
        var order = await CreateOrderAsync();
        var path = $"/orders/{order.Id()}";
        using var cancelled = await api.SendAsync(HttpMethod.Patch, path, Json.Of(new { status = "cancelled" }), ApiFixture.AllScopes, "\"1\"");
        Assert.Equal("cancelled", (await cancelled.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString());
        using var again = await api.SendAsync(HttpMethod.Patch, path, Json.Of(new { status = "processing" }), ApiFixture.AllScopes, "\"2\"");
        await again.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData(null, "{\"status\":\"processing\"}", HttpStatusCode.PreconditionRequired, null)]
    [InlineData("\"4\"", "{\"status\":\"processing\"}", HttpStatusCode.PreconditionFailed, null)]
    [InlineData("\"1\"", "{\"status\":\"lost\"}", HttpStatusCode.BadRequest, "status")]
    [InlineData("\"1\"", "{\"status\":\"processing\",\"total\":1}", HttpStatusCode.BadRequest, "total")]
    [InlineData("\"1\"", "{}", HttpStatusCode.BadRequest, "status")]
    public async Task Patching_an_order_wrongly_is_refused_and_writes_nothing(string? ifMatch, string body, HttpStatusCode status, string? field)
    {
        var order = await CreateOrderAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/orders/{order.Id()}", body, ApiFixture.AllScopes, ifMatch);
        if (field is null)
        {
            await response.AssertProblemAsync(status);
        }
        else
        {
            await response.AssertFieldErrorAsync(field, status);
        }

        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Unknown_orders_return_404()
    {
        using var get = await api.SendAsync(HttpMethod.Get, $"/orders/{Guid.NewGuid()}", token: ApiFixture.AllScopes);
        await get.AssertProblemAsync(HttpStatusCode.NotFound);
        using var patch = await api.SendAsync(HttpMethod.Patch, $"/orders/{Guid.NewGuid()}", Json.Of(new { status = "processing" }), ApiFixture.AllScopes, "\"1\"");
        await patch.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_users_orders_and_a_products_orders_are_listed_newest_first()
    {
        var (user, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(2m);
        var first = (await api.PostAsync("/orders", new { userId = user.IdOf(), items = new[] { new { productId = product.Id(), quantity = 1 } } })).Body;
        var second = (await api.PostAsync("/orders", new { userId = user.IdOf(), items = new[] { new { productId = product.Id(), quantity = 4 } } })).Body;

        var ofUser = (await api.GetOkAsync($"/users/{user.IdOf()}/orders")).GetProperty("items").EnumerateArray().Select(o => o.Id()).ToList();
        Assert.Equal([second.Id(), first.Id()], ofUser);
        var byQuery = (await api.GetOkAsync($"/orders?userId={user.IdOf()}&limit=1")).GetProperty("items").EnumerateArray().Select(o => o.Id()).ToList();
        Assert.Equal([second.Id()], byQuery);

        var ofProduct = (await api.GetOkAsync($"/products/{product.Id()}/orders")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([second.Id(), first.Id()], ofProduct.Select(o => o.GetProperty("orderId").GetString()));
        Assert.Equal(8m, ofProduct[0].GetProperty("lineTotal").GetDecimal());
    }

    [Theory]
    [InlineData("/orders", "userId")]
    [InlineData("/orders?userId=nope", "userId")]
    public async Task Listing_orders_without_a_user_returns_400(string path, string field)
    {
        using var response = await api.SendAsync(HttpMethod.Get, path, token: ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task Creating_an_order_without_the_write_scope_returns_403_and_writes_nothing()
    {
        var (user, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(2m);
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(
            HttpMethod.Post, "/orders", Json.Of(new { userId = user.IdOf(), items = new[] { new { productId = product.Id(), quantity = 1 } } }), ApiFixture.Token(Scopes.Read, Scopes.Admin));
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Getting_an_order_by_a_malformed_id_returns_400_naming_id()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/orders/not-a-uuid", token: ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("id");
    }

    [Theory]
    [InlineData("/users/not-a-uuid/orders", "id")]
    [InlineData("/users/{0}/orders?limit=0", "limit")]
    [InlineData("/orders?userId={0}&limit=101", "limit")]
    [InlineData("/users/{0}/orders?cursor=not-a-cursor", "cursor")]
    public async Task Listing_a_users_orders_with_a_bad_id_or_query_returns_400_naming_it(string path, string field)
    {
        using var response = await api.SendAsync(HttpMethod.Get, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, Guid.NewGuid()), token: ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task Listing_a_users_orders_with_a_tampered_cursor_returns_400_on_both_routes()
    {
        var first = await CreateOrderAsync();
        var userId = first.GetProperty("userId").GetString()!;
        await api.PostAsync("/orders", new { userId, items = new[] { new { productId = first.GetProperty("items")[0].GetProperty("productId").GetString(), quantity = 2 } } });

        foreach (var path in new[] { $"/users/{userId}/orders?limit=1", $"/orders?userId={userId}&limit=1" })
        {
            var cursor = await api.NextCursorAsync(path);
            using var response = await api.SendAsync(HttpMethod.Get, $"{path}&cursor={Uri.EscapeDataString(Resources.Tampered(cursor))}", token: ApiFixture.AllScopes);
            await response.AssertFieldErrorAsync("cursor");
        }
    }

    [Theory]
    [InlineData("/users/{0}/orders")]
    [InlineData("/orders?userId={0}")]
    public async Task Listing_a_users_orders_without_the_read_scope_returns_403(string path)
    {
        using var response = await api.SendAsync(
            HttpMethod.Get, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, Guid.NewGuid()), token: ApiFixture.Token(Scopes.Write, Scopes.Admin));
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Patching_an_order_without_the_write_scope_returns_403_and_writes_nothing()
    {
        var order = await CreateOrderAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/orders/{order.Id()}", Json.Of(new { status = "processing" }), ApiFixture.Token(Scopes.Read, Scopes.Admin), "\"1\"");
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Patching_an_order_with_a_body_over_the_limit_returns_413_and_writes_nothing()
    {
        var order = await CreateOrderAsync();
        var before = await api.SnapshotAsync();
        var huge = Json.Of(new { status = "processing", note = new string('n', 70 * 1024) });
        using var response = await api.SendAsync(HttpMethod.Patch, $"/orders/{order.Id()}", huge, ApiFixture.AllScopes, "\"1\"");
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Patching_an_order_with_a_non_JSON_content_type_returns_415_and_writes_nothing()
    {
        var order = await CreateOrderAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/orders/{order.Id()}", Json.Of(new { status = "processing" }), ApiFixture.AllScopes, "\"1\"", "text/plain");
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await api.AssertUnchangedAsync(before);
    }

    private async Task<JsonElement> CreateOrderAsync()
    {
        var (user, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(3m);
        return (await api.PostAsync("/orders", new { userId = user.IdOf(), items = new[] { new { productId = product.Id(), quantity = 1 } } })).Body;
    }
}
