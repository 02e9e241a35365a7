using System.Net;
using System.Text.Json;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests.Authorization;

/// <summary>
/// Two users, A and B, and A's data: an order, a role, a comment on A. B's end-user token is the one sent against A's
/// data; A's own token proves what an owner may do. Made once per test class through the API with a service token.
/// </summary>
public sealed class OwnershipWorld(DynamoDbLocalFixture dynamoDb) : ApiFixture(dynamoDb)
{
    public static readonly string[] SelfScopes = [Scopes.SelfRead, Scopes.SelfWrite];

    public JsonElement A { get; private set; }

    public string AETag { get; private set; } = "";

    public JsonElement B { get; private set; }

    public JsonElement Product { get; private set; }

    public string ProductETag { get; private set; } = "";

    public JsonElement Order { get; private set; }

    public string OrderETag { get; private set; } = "";

    public JsonElement Role { get; private set; }

    public string AId => A.IdOf();

    public string BId => B.IdOf();

    /// <summary>B's end-user token: what every cross-user request is sent with.</summary>
    public string BToken => TokenFor(BId, SelfScopes);

    public string TokenOf(JsonElement user) => TokenFor(user.IdOf(), SelfScopes);

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        (A, AETag) = await this.CreateAsync(UserRequests.Body(name: "Alice Owner"));
        (B, _) = await this.CreateAsync(UserRequests.Body(name: "Bob Other"));
        (Product, ProductETag) = await this.CreateProductAsync(3.5m);
        (Order, OrderETag) = await this.PostAsync("/orders", new { userId = AId, items = new[] { new { productId = Product.Id(), quantity = 2 } } });
        (Role, _) = await this.PostAsync("/roles", new { name = "role-" + Guid.NewGuid().ToString("N")[..8] });
        using (var assigned = await SendAsync(HttpMethod.Put, $"/users/{AId}/roles/{Role.Id()}", token: AllScopes))
        {
            Assert.Equal(HttpStatusCode.Created, assigned.StatusCode);
        }

        using var comment = await SendAsync(HttpMethod.Post, $"/users/{AId}/comments", Json.Of(new { content = "on A" }), TokenOf(A));
        Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
    }

    public string OrderBody(string? userId) => userId is null
        ? Json.Of(new { items = new[] { new { productId = Product.Id(), quantity = 1 } } })
        : Json.Of(new { userId, items = new[] { new { productId = Product.Id(), quantity = 1 } } });
}
