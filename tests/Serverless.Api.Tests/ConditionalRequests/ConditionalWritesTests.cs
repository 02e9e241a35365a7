using Microsoft.AspNetCore.Http;
using Serverless.Api.Infrastructure.Http;
using Serverless.Domain;
using Serverless.Domain.Products;
using Xunit;

namespace Serverless.Api.Tests.ConditionalRequests;

/// <summary>The retry rule itself, with writes that always lose their race (no server needed for that).</summary>
public sealed class ConditionalWritesTests
{
    private static readonly Product Current = new() { Id = Guid.NewGuid(), Name = "Mug", Price = 1m, Version = 3 };

    [Fact]
    public async Task Under_If_Match_star_a_change_that_keeps_losing_is_refused_with_409_after_the_bounded_attempts_never_412()
    {
        var attempts = 0;
        var refused = await Assert.ThrowsAsync<ConflictException>(() => ConditionalWrites.ApplyAsync<Product, Product>(
            Request("*"), new ApiOptions(), "Product", Current.Id, _ => Task.FromResult<Product?>(Current with { Version = Current.Version + attempts }),
            (current, version, _) =>
            {
                attempts++;
                Assert.Equal(current.Version, version);
                throw new ConcurrencyException("Product", Current.Id.ToString("D"), version);
            },
            TestContext.Current.CancellationToken));

        Assert.Equal(ConditionalWrites.MaxAttempts, attempts);
        Assert.Contains("kept changing", refused.Message, StringComparison.Ordinal);
        Assert.Contains("retry the request", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_etag_a_lost_race_is_412_for_the_version_the_client_sent_at_the_first_attempt()
    {
        var attempts = 0;
        var stale = await Assert.ThrowsAsync<ConcurrencyException>(() => ConditionalWrites.ApplyAsync<Product, Product>(
            Request("\"3\""), new ApiOptions(), "Product", Current.Id, _ => Task.FromResult<Product?>(Current),
            (_, version, _) =>
            {
                attempts++;
                throw new ConcurrencyException("Product", Current.Id.ToString("D"), version);
            },
            TestContext.Current.CancellationToken));

        Assert.Equal(1, attempts);
        Assert.Equal(3, stale.ExpectedVersion);
    }

    private static HttpRequest Request(string ifMatch)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.IfMatch = ifMatch;
        return context.Request;
    }
}
