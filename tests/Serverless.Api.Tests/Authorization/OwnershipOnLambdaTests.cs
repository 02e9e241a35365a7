using System.Net;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests.Authorization;

/// <summary>
/// On Lambda the end user's scopes and subject arrive as the JWT authorizer's claims in an HTTP API 2.0 event; the
/// same rules hold there: B's claims against A's data are refused and write nothing, A's own are let through.
/// </summary>
public sealed class OwnershipOnLambdaTests(LambdaFunctionFixture api) : IClassFixture<LambdaFunctionFixture>
{
    private static readonly string[] SelfScopes = [Scopes.SelfRead, Scopes.SelfWrite];

    [Fact]
    public async Task An_end_users_claims_reach_only_its_own_user_and_orders()
    {
        var (a, aETag) = await api.CreateAsync();
        var (b, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(1m);
        var (order, _) = await api.PostAsync("/orders", new { userId = a.IdOf(), items = new[] { new { productId = product.Id(), quantity = 1 } } });

        var before = await api.SnapshotAsync();
        var asB = new (ApiRequest Request, HttpStatusCode Status)[]
        {
            (new(HttpMethod.Get, $"/users/{a.IdOf()}", Scopes: SelfScopes, Subject: b.IdOf()), HttpStatusCode.Forbidden),
            (new(HttpMethod.Patch, $"/users/{a.IdOf()}", Json.Of(new { name = "Taken Over" }), SelfScopes, aETag, Subject: b.IdOf()), HttpStatusCode.Forbidden),
            (new(HttpMethod.Get, $"/orders/{order.Id()}", Scopes: SelfScopes, Subject: b.IdOf()), HttpStatusCode.NotFound),
            (new(HttpMethod.Post, "/orders", Json.Of(new { userId = a.IdOf(), items = new[] { new { productId = product.Id(), quantity = 1 } } }), SelfScopes, Subject: b.IdOf()), HttpStatusCode.Forbidden),
        };
        foreach (var (request, status) in asB)
        {
            var result = await api.InvokeAsync(request);
            Assert.True(result.Status == (int)status, $"{request.Method} {request.PathAndQuery}: {result.Status} {result.Body}");
        }

        await api.AssertUnchangedAsync(before);

        var own = await api.InvokeAsync(new ApiRequest(HttpMethod.Get, $"/orders/{order.Id()}", Scopes: SelfScopes, Subject: a.IdOf()));
        Assert.Equal((int)HttpStatusCode.OK, own.Status);
    }
}
