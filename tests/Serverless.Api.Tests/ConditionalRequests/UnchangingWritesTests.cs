using System.Net;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests.ConditionalRequests;

/// <summary>
/// A PATCH whose result is the state already stored writes nothing: 200 with the representation and ETag as they
/// are, no new version, no stream record (so no audit entry). Its If-Match is still checked.
/// </summary>
public sealed class UnchangingWritesTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly object RichUser = new
    {
        status = "active",
        balance = 5.5m,
        phone = "+14155550123",
        metadata = new Dictionary<string, string> { ["source"] = "web", ["locale"] = "en-GB" },
        profile = new { avatar = "https://example.com/a.png", bio = "Hi", preferences = new Dictionary<string, string> { ["theme"] = "dark", ["lang"] = "en" } },
        addresses = new[]
        {
            new { type = "home", street = "1 Main St", city = "Springfield", country = "US", isDefault = true },
            new { type = "work", street = "2 Side St", city = "Shelbyville", country = "US", isDefault = false },
        },
    };

    [Fact]
    public async Task An_empty_patch_of_a_user_writes_nothing_and_returns_the_user_with_its_etag()
    {
        var (user, etag) = await api.CreateAsync(UserRequests.Body(extra: RichUser));
        var before = await api.SnapshotAsync();

        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", "{}", ApiFixture.AllScopes, etag);

        var body = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(etag, response.Headers.ETag?.ToString());
        Assert.Equal(1, body.GetProperty("version").GetInt64());
        Assert.Equal(user.GetProperty("updatedAt").GetString(), body.GetProperty("updatedAt").GetString());
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task A_patch_that_sends_every_member_of_a_user_with_its_current_value_writes_nothing()
    {
        var email = Json.UniqueEmail();
        var (user, etag) = await api.CreateAsync(UserRequests.Body(email, "Ann Example", extra: RichUser));
        var before = await api.SnapshotAsync();

        // The same values in another form: map members in another order, 5.50 for 5.5.
        var same = $$"""
            {
              "email": "{{email}}", "name": "Ann Example", "status": "active", "balance": 5.50, "phone": "+14155550123",
              "metadata": { "locale": "en-GB", "source": "web" },
              "profile": { "preferences": { "lang": "en", "theme": "dark" }, "bio": "Hi", "avatar": "https://example.com/a.png" },
              "addresses": [
                { "type": "home", "street": "1 Main St", "city": "Springfield", "country": "US", "isDefault": true },
                { "type": "work", "street": "2 Side St", "city": "Shelbyville", "country": "US" }
              ]
            }
            """;
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", same, ApiFixture.AllScopes, etag);

        Assert.Equal(1, (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("version").GetInt64());
        Assert.Equal(etag, response.Headers.ETag?.ToString());
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task A_patch_that_changes_one_member_of_a_user_still_writes()
    {
        var (user, etag) = await api.CreateAsync(UserRequests.Body(extra: RichUser));
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { addresses = Array.Empty<object>() }), ApiFixture.AllScopes, etag);
        Assert.Equal(2, (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task A_patch_with_the_same_password_still_writes_because_its_hash_is_new()
    {
        var (user, etag) = await api.CreateAsync(UserRequests.Body(password: "correct horse battery"));
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { password = "correct horse battery" }), ApiFixture.AllScopes, etag);
        Assert.Equal("\"2\"", response.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task An_empty_patch_with_a_stale_etag_is_still_refused_with_412()
    {
        var (user, _) = await api.CreateAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", "{}", ApiFixture.AllScopes, "\"4\"");
        await response.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await api.AssertUnchangedAsync(before);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"name\":\"Blue mug\",\"price\":9.90,\"description\":null}")]
    public async Task A_patch_of_a_product_that_changes_nothing_writes_nothing(string body)
    {
        var (product, etag) = await api.CreateProductAsync(9.9m, "Blue mug");
        var before = await api.SnapshotAsync();

        using var response = await api.SendAsync(HttpMethod.Patch, $"/products/{product.Id()}", body, ApiFixture.AllScopes, etag);

        Assert.Equal(1, (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("version").GetInt64());
        Assert.Equal(etag, response.Headers.ETag?.ToString());
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Asking_for_the_status_an_order_already_has_writes_nothing_and_returns_it()
    {
        var (user, _) = await api.CreateAsync();
        var (product, _) = await api.CreateProductAsync(2m);
        var (order, etag) = await api.PostAsync("/orders", new { userId = user.IdOf(), items = new[] { new { productId = product.Id(), quantity = 1 } } });
        var before = await api.SnapshotAsync();

        using var response = await api.SendAsync(HttpMethod.Patch, $"/orders/{order.Id()}", Json.Of(new { status = "pending" }), ApiFixture.AllScopes, etag);

        Assert.Equal("pending", (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.Equal(etag, response.Headers.ETag?.ToString());
        await api.AssertUnchangedAsync(before);
    }
}
