using System.Net;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests.Comments;

public sealed class CommentsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Comments_on_a_post_a_product_and_a_user_are_listed_newest_first()
    {
        var (user, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(1m);
        var targets = new[] { $"/posts/{Guid.NewGuid()}", $"/products/{product.Id()}", $"/users/{user.IdOf()}" };
        var types = new[] { "Post", "Product", "User" };
        for (var t = 0; t < targets.Length; t++)
        {
            // The first by the user's own token (its author), the second by a service caller whose subject is no user.
            using var byUser = await api.SendAsync(HttpMethod.Post, $"{targets[t]}/comments", Json.Of(new { content = "first" }), ApiFixture.TokenFor(user.IdOf(), Scopes.SelfWrite));
            var first = await byUser.ReadJsonAsync(HttpStatusCode.Created);
            Assert.Equal(types[t], first.GetProperty("targetType").GetString());
            Assert.Equal(user.IdOf(), first.GetProperty("authorId").GetString());
            await Task.Delay(5, TestContext.Current.CancellationToken);
            var (second, _) = await api.PostAsync($"{targets[t]}/comments", new { content = "second" });
            Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("authorId").ValueKind);

            var list = await api.GetOkAsync($"{targets[t]}/comments");
            Assert.Equal([second.Id(), first.Id()], list.GetProperty("items").EnumerateArray().Select(c => c.Id()));
        }
    }

    [Fact]
    public async Task Commenting_on_an_unknown_product_or_user_returns_404_and_writes_nothing()
    {
        var before = await api.SnapshotAsync();
        using var product = await api.SendAsync(HttpMethod.Post, $"/products/{Guid.NewGuid()}/comments", Json.Of(new { content = "hi" }), ApiFixture.AllScopes);
        await product.AssertProblemAsync(HttpStatusCode.NotFound);
        using var user = await api.SendAsync(HttpMethod.Post, $"/users/{Guid.NewGuid()}/comments", Json.Of(new { content = "hi" }), ApiFixture.AllScopes);
        await user.AssertProblemAsync(HttpStatusCode.NotFound);
        await api.AssertUnchangedAsync(before);
    }

    [Theory]
    [InlineData("{}", "content")]
    [InlineData("{\"content\":\"   \"}", "content")]
    [InlineData("{\"content\":\"x\",\"rating\":5}", "rating")]
    [InlineData("{\"content\":\"x\",\"authorId\":\"bob\"}", "authorId")]
    [InlineData("{\"content\":\"x\",\"authorId\":\"3f2504e0-4f89-41d3-9a0c-0305e82c3301\"}", "authorId")]
    public async Task An_invalid_comment_returns_400_and_writes_nothing(string body, string field)
    {
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, $"/posts/{Guid.NewGuid()}/comments", body, ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync(field);
        await api.AssertUnchangedAsync(before);
    }

    [Theory]
    [InlineData("posts")]
    [InlineData("products")]
    [InlineData("users")]
    public async Task A_comment_whose_author_is_no_user_returns_400_naming_authorId_and_writes_nothing(string segment)
    {
        // The author is the caller's subject; a service caller's subject that is a UUID is taken as a user id.
        var target = await TargetAsync(segment);
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, $"{target}/comments", Json.Of(new { content = "hi" }), ApiFixture.TokenFor(Guid.NewGuid().ToString(), Scopes.Write));
        var messages = await response.AssertFieldErrorAsync("authorId");
        Assert.Contains("no user with this id", messages.Single(), StringComparison.Ordinal);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task A_comment_by_a_soft_deleted_user_returns_400_naming_authorId_and_writes_nothing()
    {
        var (author, etag) = await api.CreateAsync();
        using (var deleted = await api.SendAsync(HttpMethod.Delete, $"/users/{author.IdOf()}", token: ApiFixture.AllScopes, ifMatch: etag))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, $"/posts/{Guid.NewGuid()}/comments", Json.Of(new { content = "hi" }), ApiFixture.TokenFor(author.IdOf(), Scopes.SelfWrite));
        var messages = await response.AssertFieldErrorAsync("authorId");
        Assert.Contains("deleted user", messages.Single(), StringComparison.Ordinal);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task An_over_long_comment_returns_400_and_writes_nothing()
    {
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, $"/posts/{Guid.NewGuid()}/comments", Json.Of(new { content = new string('c', 10_001) }), ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("content");
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Commenting_without_the_write_scope_returns_403_and_writes_nothing()
    {
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, $"/posts/{Guid.NewGuid()}/comments", Json.Of(new { content = "hi" }), ApiFixture.Token(Scopes.Read));
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Listing_comments_with_a_tampered_cursor_returns_400()
    {
        var post = $"/posts/{Guid.NewGuid()}/comments";
        await api.PostAsync(post, new { content = "a" });
        await api.PostAsync(post, new { content = "b" });
        var cursor = (await api.GetOkAsync($"{post}?limit=1")).GetProperty("nextCursor").GetString()!;
        using var response = await api.SendAsync(HttpMethod.Get, $"{post}?limit=1&cursor={Uri.EscapeDataString(cursor[..^3])}", token: ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("cursor");
    }

    [Fact]
    public async Task Listing_comments_on_a_user_or_a_product_with_a_tampered_cursor_returns_400()
    {
        var (user, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(1m);
        foreach (var target in new[] { $"/users/{user.IdOf()}/comments", $"/products/{product.Id()}/comments" })
        {
            await api.PostAsync(target, new { content = "a" });
            await api.PostAsync(target, new { content = "b" });
            var cursor = await api.NextCursorAsync($"{target}?limit=1");
            using var response = await api.SendAsync(HttpMethod.Get, $"{target}?limit=1&cursor={Uri.EscapeDataString(Resources.Tampered(cursor))}", token: ApiFixture.AllScopes);
            await response.AssertFieldErrorAsync("cursor");
        }
    }

    private async Task<string> TargetAsync(string segment)
    {
        switch (segment)
        {
            case "products":
                var (product, _) = await api.CreateProductAsync(1m);
                return $"/products/{product.Id()}";
            case "users":
                var (user, _) = await api.CreateAsync();
                return $"/users/{user.IdOf()}";
            default:
                return $"/posts/{Guid.NewGuid()}";
        }
    }
}
