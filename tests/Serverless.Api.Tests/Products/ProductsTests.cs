using System.Net;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
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
}
