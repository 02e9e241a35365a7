using System.Net;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests.Products;

public sealed class ProductsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Creating_a_product_returns_201_and_it_can_be_read_and_listed()
    {
        var (product, etag) = await api.CreateProductAsync(9.99m, "Aardvark mug");
        Assert.Equal("\"1\"", etag);
        var read = await api.GetOkAsync($"/products/{product.Id()}");
        Assert.Equal(9.99m, read.GetProperty("price").GetDecimal());
        var list = await api.GetOkAsync("/products?limit=100");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), p => p.Id() == product.Id());
    }

    [Theory]
    [InlineData("{\"name\":\"x\",\"price\":-1}", "price")]
    [InlineData("{\"name\":\"x\",\"price\":\"1\"}", "price")]
    [InlineData("{\"name\":\"x\"}", "price")]
    [InlineData("{\"price\":1}", "name")]
    [InlineData("{\"name\":\"x\",\"price\":1,\"colour\":\"red\"}", "colour")]
    [InlineData("{\"name\":\"x\",\"price\":1,\"description\":5}", "description")]
    public async Task Creating_an_invalid_product_returns_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, "/products", body, ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync(field);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Creating_an_over_long_product_name_returns_400_and_writes_nothing()
    {
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, "/products", Json.Of(new { name = new string('p', 256), price = 1 }), ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("name");
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Creating_a_product_with_only_the_read_scope_returns_403_and_writes_nothing()
    {
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, "/products", Json.Of(new { name = "x", price = 1 }), ApiFixture.Token(Scopes.Read));
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Getting_an_unknown_product_returns_404()
    {
        using var response = await api.SendAsync(HttpMethod.Get, $"/products/{Guid.NewGuid()}", token: ApiFixture.AllScopes);
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Patching_a_product_needs_the_current_etag()
    {
        var (product, etag) = await api.CreateProductAsync(5m);
        var path = $"/products/{product.Id()}";

        using var missing = await api.SendAsync(HttpMethod.Patch, path, Json.Of(new { price = 6m }), ApiFixture.AllScopes);
        await missing.AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        using var stale = await api.SendAsync(HttpMethod.Patch, path, Json.Of(new { price = 6m }), ApiFixture.AllScopes, "\"5\"");
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        using var invalid = await api.SendAsync(HttpMethod.Patch, path, Json.Of(new { price = -6m }), ApiFixture.AllScopes, etag);
        await invalid.AssertFieldErrorAsync("price");

        using var ok = await api.SendAsync(HttpMethod.Patch, path, Json.Of(new { price = 6m, description = "now with a lid" }), ApiFixture.AllScopes, etag);
        var body = await ok.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(6m, body.GetProperty("price").GetDecimal());
        Assert.Equal(product.GetProperty("name").GetString(), body.GetProperty("name").GetString());
        Assert.Equal("\"2\"", ok.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task Patching_an_unknown_product_returns_404()
    {
        using var response = await api.SendAsync(HttpMethod.Patch, $"/products/{Guid.NewGuid()}", Json.Of(new { price = 1 }), ApiFixture.AllScopes, "\"1\"");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deleting_a_product_needs_the_current_etag_and_then_it_is_gone()
    {
        var (product, etag) = await api.CreateProductAsync(5m);
        var path = $"/products/{product.Id()}";

        using var missing = await api.SendAsync(HttpMethod.Delete, path, token: ApiFixture.AllScopes);
        await missing.AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        using var stale = await api.SendAsync(HttpMethod.Delete, path, token: ApiFixture.AllScopes, ifMatch: "\"3\"");
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        using var forbidden = await api.SendAsync(HttpMethod.Delete, path, token: ApiFixture.Token(Scopes.Read), ifMatch: etag);
        await forbidden.AssertProblemAsync(HttpStatusCode.Forbidden);

        using var deleted = await api.SendAsync(HttpMethod.Delete, path, token: ApiFixture.AllScopes, ifMatch: etag);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await api.SendAsync(HttpMethod.Get, path, token: ApiFixture.AllScopes);
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
        using var again = await api.SendAsync(HttpMethod.Delete, path, token: ApiFixture.AllScopes, ifMatch: "\"2\"");
        await again.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Listing_products_with_a_tampered_cursor_returns_400()
    {
        await api.CreateProductAsync(1m);
        await api.CreateProductAsync(2m);
        var cursor = (await api.GetOkAsync("/products?limit=1")).GetProperty("nextCursor").GetString()!;
        using var response = await api.SendAsync(HttpMethod.Get, $"/products?limit=1&cursor={Uri.EscapeDataString("x" + cursor[1..])}", token: ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("cursor");
    }

    [Fact]
    public async Task Patching_a_product_without_the_write_scope_returns_403_and_writes_nothing()
    {
        var (product, etag) = await api.CreateProductAsync(5m);
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/products/{product.Id()}", Json.Of(new { price = 6m }), ApiFixture.Token(Scopes.Read, Scopes.Admin), etag);
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Patching_a_product_with_a_body_over_the_limit_returns_413_and_writes_nothing()
    {
        var (product, etag) = await api.CreateProductAsync(5m);
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/products/{product.Id()}", Json.Of(new { description = new string('d', 70 * 1024) }), ApiFixture.AllScopes, etag);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Patching_a_product_with_a_non_JSON_content_type_returns_415_and_writes_nothing()
    {
        var (product, etag) = await api.CreateProductAsync(5m);
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/products/{product.Id()}", Json.Of(new { price = 6m }), ApiFixture.AllScopes, etag, "application/x-www-form-urlencoded");
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await api.AssertUnchangedAsync(before);
    }

    [Theory]
    [InlineData("/products/not-a-uuid/orders", "id")]
    [InlineData("/products/{0}/orders?limit=0", "limit")]
    [InlineData("/products/{0}/orders?cursor=not-a-cursor", "cursor")]
    public async Task Listing_a_products_orders_with_a_bad_id_or_query_returns_400_naming_it(string path, string field)
    {
        using var response = await api.SendAsync(HttpMethod.Get, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, Guid.NewGuid()), token: ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task Listing_a_products_orders_with_a_tampered_cursor_returns_400()
    {
        var (product, _) = await api.CreateProductAsync(2m);
        var (user, _) = await api.CreateAsync();
        for (var i = 1; i <= 2; i++)
        {
            await api.PostAsync("/orders", new { userId = user.IdOf(), items = new[] { new { productId = product.Id(), quantity = i } } });
        }

        var path = $"/products/{product.Id()}/orders?limit=1";
        var cursor = await api.NextCursorAsync(path);
        using var response = await api.SendAsync(HttpMethod.Get, $"{path}&cursor={Uri.EscapeDataString(Resources.Tampered(cursor))}", token: ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("cursor");
    }

    [Fact]
    public async Task Listing_a_products_orders_without_the_read_scope_returns_403()
    {
        var (product, _) = await api.CreateProductAsync(2m);
        using var response = await api.SendAsync(HttpMethod.Get, $"/products/{product.Id()}/orders", token: ApiFixture.Token(Scopes.Write, Scopes.Admin));
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Listing_the_orders_of_an_unknown_product_is_an_empty_page_not_a_404()
    {
        // The list is one Query on the product's order index; a deleted product keeps its orders listed, so the
        // product item is not consulted and an id nobody ordered simply has no orders.
        var page = await api.GetOkAsync($"/products/{Guid.NewGuid()}/orders");
        Assert.Equal(0, page.GetProperty("items").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, page.GetProperty("nextCursor").ValueKind);
    }
}
