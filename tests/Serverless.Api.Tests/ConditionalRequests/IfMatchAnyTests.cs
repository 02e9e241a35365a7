using System.Net;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests.ConditionalRequests;

/// <summary>
/// <c>If-Match: *</c> matches whatever representation is current (RFC 9110 section 13.1.1): a change sent with it is
/// made to the current state however many writers race it, and is never refused with a 412 naming a version the
/// client did not send.
/// </summary>
public sealed class IfMatchAnyTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const int Writers = 20;

    [Fact]
    public async Task Twenty_parallel_patches_of_a_user_with_If_Match_star_each_apply_on_top_of_the_others()
    {
        var (user, _) = await api.CreateAsync();
        var path = $"/users/{user.IdOf()}";

        var results = await api.SendTogetherAsync(Writers, i =>
            api.SendAsync(HttpMethod.Patch, path, Json.Of(new { name = $"Writer Number {i}" }), ApiFixture.AllScopes, "*"));

        AssertEachAppliedOnce(results);
        var final = await api.GetOkAsync(path);
        Assert.Equal(1 + Writers, final.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Twenty_parallel_patches_of_a_product_with_If_Match_star_each_apply_on_top_of_the_others()
    {
        var (product, _) = await api.CreateProductAsync(1m);
        var path = $"/products/{product.Id()}";

        var results = await api.SendTogetherAsync(Writers, i =>
            api.SendAsync(HttpMethod.Patch, path, Json.Of(new { price = 100m + i }), ApiFixture.AllScopes, "*"));

        AssertEachAppliedOnce(results);
        Assert.Equal(1 + Writers, (await api.GetOkAsync(path)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Parallel_status_changes_of_an_order_with_If_Match_star_all_get_the_status_they_asked_for()
    {
        var (user, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(2m);
        var (order, _) = await api.PostAsync("/orders", new { userId = user.IdOf(), items = new[] { new { productId = product.Id(), quantity = 1 } } });
        var path = $"/orders/{order.Id()}";

        var results = await api.SendTogetherAsync(10, _ =>
            api.SendAsync(HttpMethod.Patch, path, Json.Of(new { status = "processing" }), ApiFixture.AllScopes, "*"));

        // One of them moved the order; for the others it already was where they wanted it (nothing more to write).
        Assert.All(results, r => Assert.True(r.Status == HttpStatusCode.OK, $"{(int)r.Status}: {r.Body}"));
        Assert.All(results, r => Assert.Equal("\"2\"", r.ETag));
        var final = await api.GetOkAsync(path);
        Assert.Equal("processing", final.GetProperty("status").GetString());
        Assert.Equal(2, final.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Deleting_a_product_with_If_Match_star_succeeds_while_patches_race_it()
    {
        var (product, _) = await api.CreateProductAsync(1m);
        var path = $"/products/{product.Id()}";

        var results = await api.SendTogetherAsync(11, i => i == 5
            ? api.SendAsync(HttpMethod.Delete, path, token: ApiFixture.AllScopes, ifMatch: "*")
            : api.SendAsync(HttpMethod.Patch, path, Json.Of(new { price = 100m + i }), ApiFixture.AllScopes, "*"));

        Assert.True(results[5].Status == HttpStatusCode.NoContent, $"{(int)results[5].Status}: {results[5].Body}");
        // A patch landed before the delete, or found the product gone.
        Assert.All(results.Where((_, i) => i != 5), r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{(int)r.Status}: {r.Body}"));
        using var gone = await api.SendAsync(HttpMethod.Get, path, token: ApiFixture.AllScopes);
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("PATCH", "/users/{0}", "{\"name\":\"Nobody Here\"}")]
    [InlineData("DELETE", "/users/{0}", null)]
    [InlineData("PATCH", "/products/{0}", "{\"price\":1}")]
    [InlineData("DELETE", "/products/{0}", null)]
    [InlineData("PATCH", "/orders/{0}", "{\"status\":\"processing\"}")]
    public async Task If_Match_star_on_a_resource_that_does_not_exist_returns_404_and_writes_nothing(string method, string template, string? body)
    {
        // RFC 9110 section 13.2.1: preconditions are not evaluated when the request would fail without them (these
        // methods never create), so the answer is the 404 an ETag would get too, not 412.
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Guid.NewGuid()), body, ApiFixture.AllScopes, "*");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
        await api.AssertUnchangedAsync(before);
    }

    /// <summary>Every request was applied, each on the version the one before it wrote: versions 2, 3, ... with no gap or repeat.</summary>
    private static void AssertEachAppliedOnce(List<(HttpStatusCode Status, string Body, string? ETag)> results)
    {
        Assert.All(results, r => Assert.True(r.Status == HttpStatusCode.OK, $"{(int)r.Status}: {r.Body}"));
        Assert.Equal(Enumerable.Range(2, results.Count).Select(v => (long)v), results.Select(r => ParallelRequests.VersionOf(r.Body)).Order());
        Assert.All(results, r => Assert.Equal($"\"{ParallelRequests.VersionOf(r.Body)}\"", r.ETag));
    }
}
