using System.Net;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests.ConditionalRequests;

/// <summary>Conditional GET (RFC 9110 section 13.1.2): every GET that gives an ETag answers If-None-Match.</summary>
public sealed class IfNoneMatchTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    public static TheoryData<string> Resources => ["user", "product", "order", "role"];

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task A_GET_whose_If_None_Match_names_the_current_etag_returns_304_with_the_etag_and_no_body(string resource)
    {
        var path = await CreateAsync(resource);
        // The same tag, the weak form of it (If-None-Match compares weakly), a list holding it, and "*".
        foreach (var ifNoneMatch in new[] { "\"1\"", "W/\"1\"", "\"9\", \"1\"", "*" })
        {
            using var response = await api.GetIfNoneMatchAsync(path, ifNoneMatch);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.NotModified, $"{ifNoneMatch}: {(int)response.StatusCode} {body}");
            Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
            Assert.Empty(body);
        }
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task A_GET_whose_If_None_Match_names_another_etag_returns_200_with_the_representation(string resource)
    {
        var path = await CreateAsync(resource);
        foreach (var ifNoneMatch in new[] { "\"2\"", "W/\"0\"", "\"12\", \"11\"", "not-a-tag" })
        {
            using var response = await api.GetIfNoneMatchAsync(path, ifNoneMatch);
            var body = await response.ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
            Assert.Equal(1, body.GetProperty("version").GetInt64());
        }
    }

    [Fact]
    public async Task After_a_change_the_old_etag_no_longer_matches_and_the_new_one_does()
    {
        var path = await CreateAsync("product");
        using var patch = await api.SendAsync(HttpMethod.Patch, path, Json.Of(new { price = 7m }), ApiFixture.AllScopes, "\"1\"");
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        using var stale = await api.GetIfNoneMatchAsync(path, "\"1\"");
        Assert.Equal(7m, (await stale.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("price").GetDecimal());
        using var fresh = await api.GetIfNoneMatchAsync(path, "\"2\"");
        Assert.Equal(HttpStatusCode.NotModified, fresh.StatusCode);
    }

    [Fact]
    public async Task If_None_Match_star_on_a_resource_that_does_not_exist_returns_404()
    {
        using var response = await api.GetIfNoneMatchAsync($"/products/{Guid.NewGuid()}", "*");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private async Task<string> CreateAsync(string resource)
    {
        switch (resource)
        {
            case "user":
                var (user, _) = await api.CreateAsync();
                return $"/users/{user.IdOf()}";
            case "product":
                var (product, _) = await api.CreateProductAsync(3m);
                return $"/products/{product.Id()}";
            case "order":
                var (buyer, _) = await api.CreateAsync();
                var (item, _) = await api.CreateProductAsync(3m);
                var (order, _) = await api.PostAsync("/orders", new { userId = buyer.IdOf(), items = new[] { new { productId = item.Id(), quantity = 1 } } });
                return $"/orders/{order.Id()}";
            default:
                var (role, _) = await api.PostAsync("/roles", new { name = "Role " + Guid.NewGuid().ToString("N") });
                return $"/roles/{role.Id()}";
        }
    }
}
