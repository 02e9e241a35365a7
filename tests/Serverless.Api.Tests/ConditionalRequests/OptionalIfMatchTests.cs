using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Serverless.Api.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests.ConditionalRequests;

/// <summary>The app with <c>Api:RequireIfMatch</c> off, where a write without If-Match is a write to whatever is current.</summary>
public sealed class OptionalIfMatchFixture(DynamoDbLocalFixture dynamoDb) : ApiFixture(dynamoDb)
{
    protected override void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Api:RequireIfMatch"] = "false" });
    }
}

public sealed class OptionalIfMatchTests(OptionalIfMatchFixture api) : IClassFixture<OptionalIfMatchFixture>
{
    [Fact]
    public async Task Twenty_parallel_patches_without_If_Match_each_apply_on_top_of_the_others_when_it_is_optional()
    {
        var (product, _) = await api.CreateProductAsync(1m);
        var path = $"/products/{product.Id()}";

        var results = await api.SendTogetherAsync(20, i => api.SendAsync(HttpMethod.Patch, path, Json.Of(new { price = 100m + i }), ApiFixture.AllScopes));

        Assert.All(results, r => Assert.True(r.Status == HttpStatusCode.OK, $"{(int)r.Status}: {r.Body}"));
        Assert.Equal(Enumerable.Range(2, 20).Select(v => (long)v), results.Select(r => ParallelRequests.VersionOf(r.Body)).Order());
    }

    [Fact]
    public async Task A_stale_If_Match_is_still_refused_with_412_when_it_is_optional()
    {
        var (product, _) = await api.CreateProductAsync(1m);
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/products/{product.Id()}", Json.Of(new { price = 2m }), ApiFixture.AllScopes, "\"7\"");
        await response.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await api.AssertUnchangedAsync(before);
    }
}
