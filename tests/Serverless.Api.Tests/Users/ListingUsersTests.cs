using System.Net;
using System.Text.Json;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Xunit;

namespace Serverless.Api.Tests.Users;

public sealed class ListingUsersTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly string Reader = ApiFixture.Token(Scopes.Read);

    [Fact]
    public async Task Listing_by_email_finds_the_one_user_in_any_case()
    {
        var email = Json.UniqueEmail();
        var (user, _) = await api.CreateAsync(UserRequests.Body(email));
        var items = await ItemsAsync($"/users?email={Uri.EscapeDataString(email.ToUpperInvariant())}");
        Assert.Equal(user.IdOf(), Assert.Single(items).IdOf());
    }

    [Fact]
    public async Task Listing_by_city_pages_with_a_cursor_without_repeating_anyone()
    {
        var city = "Town" + Guid.NewGuid().ToString("N")[..8];
        var ids = new HashSet<string>();
        for (var i = 0; i < 3; i++)
        {
            var (user, _) = await api.CreateAsync(UserRequests.Body(extra: new { addresses = new[] { new { type = "work", street = $"{i} Road", city, country = "NL" } } }));
            ids.Add(user.IdOf());
        }

        var first = await PageAsync($"/users?city={city.ToLowerInvariant()}&limit=2");
        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        var cursor = first.GetProperty("nextCursor").GetString();
        Assert.False(string.IsNullOrEmpty(cursor));

        var second = await PageAsync($"/users?city={city}&limit=2&cursor={Uri.EscapeDataString(cursor!)}");
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var seen = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(u => u.IdOf()).ToList();
        Assert.Equal(3, seen.Count);
        Assert.True(ids.SetEquals(seen));
    }

    [Fact]
    public async Task Listing_recent_users_by_status_returns_them_newest_first()
    {
        var (older, _) = await api.CreateAsync(UserRequests.Body(extra: new { status = "suspended" }));
        var (newer, _) = await api.CreateAsync(UserRequests.Body(extra: new { status = "suspended" }));
        var recent = (await ItemsAsync("/users?createdWithinDays=1&status=suspended")).Select(u => u.IdOf()).ToList();
        Assert.True(recent.IndexOf(newer.IdOf()) < recent.IndexOf(older.IdOf()) && recent.IndexOf(newer.IdOf()) >= 0);

        var byStatus = (await ItemsAsync("/users?status=suspended")).Select(u => u.IdOf()).ToList();
        Assert.Contains(older.IdOf(), byStatus);
        Assert.All(await ItemsAsync("/users?status=suspended"), u => Assert.Equal("suspended", u.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Searching_finds_users_with_every_word_after_stemming()
    {
        var word = "Zq" + Guid.NewGuid().ToString("N")[..6];
        var (match, _) = await api.CreateAsync(UserRequests.Body(name: $"{word} Connections"));
        await api.CreateAsync(UserRequests.Body(name: $"{word} Other"));
        var found = await ItemsAsync($"/users/search?q={word}%20connection");
        Assert.Equal(match.IdOf(), Assert.Single(found).IdOf());
    }

    [Theory]
    [InlineData("/users", "query")]
    [InlineData("/users?email=a@example.com&city=x", "query")]
    [InlineData("/users?status=banned", "status")]
    [InlineData("/users?email=not-an-email", "email")]
    [InlineData("/users?city=x&limit=0", "limit")]
    [InlineData("/users?city=x&limit=101", "limit")]
    [InlineData("/users?city=x&limit=ten", "limit")]
    [InlineData("/users?createdWithinDays=0", "createdWithinDays")]
    [InlineData("/users?createdWithinDays=soon", "createdWithinDays")]
    [InlineData("/users/search", "q")]
    [InlineData("/users/search?q=%20", "q")]
    public async Task Listing_with_a_bad_query_returns_400_naming_the_parameter(string path, string field)
    {
        using var response = await api.SendAsync(HttpMethod.Get, path, token: Reader);
        await response.AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task A_tampered_cursor_returns_400()
    {
        var city = "Tamper" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 2; i++)
        {
            await api.CreateAsync(UserRequests.Body(extra: new { addresses = new[] { new { type = "home", street = "s", city, country = "NL" } } }));
        }

        var cursor = (await PageAsync($"/users?city={city}&limit=1")).GetProperty("nextCursor").GetString()!;
        var tampered = cursor[..^2] + (cursor[^2] == 'A' ? "B" : "A") + cursor[^1];
        using var response = await api.SendAsync(HttpMethod.Get, $"/users?city={city}&limit=1&cursor={Uri.EscapeDataString(tampered)}", token: Reader);
        await response.AssertFieldErrorAsync("cursor");

        using var garbage = await api.SendAsync(HttpMethod.Get, $"/users?city={city}&cursor=not-a-cursor", token: Reader);
        await garbage.AssertFieldErrorAsync("cursor");

        // A genuine cursor of one query is refused by another.
        using var foreign = await api.SendAsync(HttpMethod.Get, $"/users?city=elsewhere&limit=1&cursor={Uri.EscapeDataString(cursor)}", token: Reader);
        await foreign.AssertFieldErrorAsync("cursor");
    }

    [Fact]
    public async Task Listing_without_the_read_scope_returns_403()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/users?status=active", token: ApiFixture.Token(Scopes.Write));
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Searching_with_a_tampered_cursor_returns_400()
    {
        var word = "Zt" + Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < 2; i++)
        {
            await api.CreateAsync(UserRequests.Body(name: $"{word} Person"));
        }

        var path = $"/users/search?q={word}&limit=1";
        var cursor = (await PageAsync(path)).GetProperty("nextCursor").GetString()!;
        using var response = await api.SendAsync(HttpMethod.Get, $"{path}&cursor={Uri.EscapeDataString(Resources.Tampered(cursor))}", token: Reader);
        await response.AssertFieldErrorAsync("cursor");
    }

    [Fact]
    public async Task Searching_without_the_read_scope_returns_403()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/users/search?q=anyone", token: ApiFixture.Token(Scopes.Write, Scopes.Admin));
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    private async Task<JsonElement> PageAsync(string path)
    {
        using var response = await api.SendAsync(HttpMethod.Get, path, token: Reader);
        return await response.ReadJsonAsync(HttpStatusCode.OK);
    }

    private async Task<List<JsonElement>> ItemsAsync(string path) =>
        [.. (await PageAsync(path)).GetProperty("items").EnumerateArray()];
}
