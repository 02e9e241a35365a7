using System.Net;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests.Roles;

public sealed class RolesTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly string Writer = ApiFixture.Token(Scopes.Read, Scopes.Write);

    [Fact]
    public async Task An_admin_creates_a_role_and_readers_see_it()
    {
        var (role, etag) = await api.PostAsync("/roles", new { name = "Editor " + Guid.NewGuid().ToString("N")[..6], description = "edits" });
        Assert.Equal("\"1\"", etag);
        using var get = await api.SendAsync(HttpMethod.Get, $"/roles/{role.Id()}", token: ApiFixture.Token(Scopes.Read));
        Assert.Equal("edits", (await get.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("description").GetString());
        var list = await api.GetOkAsync("/roles?limit=100");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), r => r.Id() == role.Id());
    }

    [Theory]
    [InlineData("Auditor", "Auditor")]
    [InlineData("Auditor", "auditor")]
    [InlineData("Support Team", "  SUPPORT   team ")]
    public async Task Creating_a_role_whose_name_is_taken_whatever_its_case_and_spacing_returns_409_naming_name_and_writes_nothing(string first, string second)
    {
        var unique = Guid.NewGuid().ToString("N")[..8];
        await api.PostAsync("/roles", new { name = $"{first} {unique}" });
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, "/roles", Json.Of(new { name = $"{second} {unique.ToUpperInvariant()}" }), ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("name", HttpStatusCode.Conflict);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Of_ten_concurrent_creates_of_one_role_name_exactly_one_succeeds_and_the_others_get_409()
    {
        var name = "Racer " + Guid.NewGuid().ToString("N")[..8];
        var results = await api.SendTogetherAsync(10, _ => api.SendAsync(HttpMethod.Post, "/roles", Json.Of(new { name }), ApiFixture.AllScopes));

        Assert.Single(results, r => r.Status == HttpStatusCode.Created);
        Assert.All(results.Where(r => r.Status != HttpStatusCode.Created), r => Assert.True(r.Status == HttpStatusCode.Conflict, $"{(int)r.Status}: {r.Body}"));
        var list = await api.GetOkAsync("/roles?limit=100");
        Assert.Single(list.GetProperty("items").EnumerateArray(), r => r.GetProperty("name").GetString() == name);
    }

    [Fact]
    public async Task A_role_stored_before_names_had_markers_still_holds_its_name()
    {
        // As such a role was written: the role item alone.
        var name = "Legacy " + Guid.NewGuid().ToString("N")[..8];
        var legacy = new Domain.Roles.Role { Id = Guid.NewGuid(), Name = name, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow, Version = 1, LastWriter = "test" };
        await api.DynamoDb.PutItemAsync(api.TableName, Data.Roles.RoleMapper.ToItem(legacy), TestContext.Current.CancellationToken);
        var before = await api.SnapshotAsync();

        using var response = await api.SendAsync(HttpMethod.Post, "/roles", Json.Of(new { name = name.ToLowerInvariant() }), ApiFixture.AllScopes);

        await response.AssertFieldErrorAsync("name", HttpStatusCode.Conflict);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Creating_a_role_without_the_admin_scope_returns_403_and_writes_nothing()
    {
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, "/roles", Json.Of(new { name = "Sneaky" }), Writer);
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Theory]
    [InlineData("{}", "name")]
    [InlineData("{\"name\":\"\"}", "name")]
    [InlineData("{\"name\":\"x\",\"level\":3}", "level")]
    public async Task Creating_an_invalid_role_returns_400_and_writes_nothing(string body, string field)
    {
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, "/roles", body, ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync(field);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Getting_an_unknown_role_returns_404()
    {
        using var response = await api.SendAsync(HttpMethod.Get, $"/roles/{Guid.NewGuid()}", token: ApiFixture.AllScopes);
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Assigning_a_role_is_201_then_200_and_shows_on_both_sides_until_unassigned()
    {
        var (user, _) = await api.CreateAsync();
        var (role, _) = await api.PostAsync("/roles", new { name = "Viewer" });
        var link = $"/users/{user.IdOf()}/roles/{role.Id()}";

        using var first = await api.SendAsync(HttpMethod.Put, link, token: ApiFixture.AllScopes);
        var assigned = await first.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(link, first.Headers.Location?.OriginalString);
        using var second = await api.SendAsync(HttpMethod.Put, link, token: ApiFixture.AllScopes);
        var again = await second.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(assigned.GetProperty("assignedAt").GetString(), again.GetProperty("assignedAt").GetString());

        var roles = await api.GetOkAsync($"/users/{user.IdOf()}/roles");
        Assert.Equal("Viewer", Assert.Single(roles.GetProperty("items").EnumerateArray()).GetProperty("roleName").GetString());
        var users = await api.GetOkAsync($"/roles/{role.Id()}/users");
        Assert.Equal(user.IdOf(), Assert.Single(users.GetProperty("items").EnumerateArray()).GetProperty("userId").GetString());

        using var removed = await api.SendAsync(HttpMethod.Delete, link, token: ApiFixture.AllScopes);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        using var gone = await api.SendAsync(HttpMethod.Delete, link, token: ApiFixture.AllScopes);
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, (await api.GetOkAsync($"/users/{user.IdOf()}/roles")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Assigning_an_unknown_role_or_to_an_unknown_user_returns_404_and_writes_nothing()
    {
        var (user, _) = await api.CreateAsync();
        var (role, _) = await api.PostAsync("/roles", new { name = "Real" });
        var before = await api.SnapshotAsync();
        using var noRole = await api.SendAsync(HttpMethod.Put, $"/users/{user.IdOf()}/roles/{Guid.NewGuid()}", token: ApiFixture.AllScopes);
        await noRole.AssertProblemAsync(HttpStatusCode.NotFound);
        using var noUser = await api.SendAsync(HttpMethod.Put, $"/users/{Guid.NewGuid()}/roles/{role.Id()}", token: ApiFixture.AllScopes);
        await noUser.AssertProblemAsync(HttpStatusCode.NotFound);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Granting_or_revoking_without_the_admin_scope_returns_403_and_writes_nothing()
    {
        var (user, _) = await api.CreateAsync();
        var (role, _) = await api.PostAsync("/roles", new { name = "Guarded" });
        var before = await api.SnapshotAsync();
        using var put = await api.SendAsync(HttpMethod.Put, $"/users/{user.IdOf()}/roles/{role.Id()}", token: Writer);
        await put.AssertProblemAsync(HttpStatusCode.Forbidden);
        using var delete = await api.SendAsync(HttpMethod.Delete, $"/users/{user.IdOf()}/roles/{role.Id()}", token: Writer);
        await delete.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Listing_a_roles_users_with_a_tampered_cursor_returns_400()
    {
        var (role, _) = await api.PostAsync("/roles", new { name = "Crowd" });
        for (var i = 0; i < 2; i++)
        {
            var (user, _) = await api.CreateAsync();
            using var put = await api.SendAsync(HttpMethod.Put, $"/users/{user.IdOf()}/roles/{role.Id()}", token: ApiFixture.AllScopes);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var cursor = (await api.GetOkAsync($"/roles/{role.Id()}/users?limit=1")).GetProperty("nextCursor").GetString()!;
        using var response = await api.SendAsync(HttpMethod.Get, $"/roles/{role.Id()}/users?limit=1&cursor={Uri.EscapeDataString(cursor + "A")}", token: ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("cursor");
    }

    [Fact]
    public async Task A_users_roles_page_with_a_cursor_and_limit_each_role_exactly_once()
    {
        var (user, _) = await api.CreateAsync();
        var granted = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var (role, _) = await api.PostAsync("/roles", new { name = $"Paged {i}" });
            using var put = await api.SendAsync(HttpMethod.Put, $"/users/{user.IdOf()}/roles/{role.Id()}", token: ApiFixture.AllScopes);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            granted.Add(role.Id());
        }

        var seen = new List<string>();
        var sizes = new List<int>();
        string? cursor = null;
        do
        {
            var path = $"/users/{user.IdOf()}/roles?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await api.GetOkAsync(path);
            var items = page.GetProperty("items").EnumerateArray().Select(l => l.GetProperty("roleId").GetString()!).ToList();
            seen.AddRange(items);
            sizes.Add(items.Count);
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null && sizes.Count < 10);

        Assert.Equal([2, 2, 1], sizes);
        Assert.Equal(granted.Order(StringComparer.Ordinal), seen);
    }

    [Theory]
    [InlineData("/users/not-a-uuid/roles", "id")]
    [InlineData("/users/{0}/roles?limit=0", "limit")]
    [InlineData("/users/{0}/roles?limit=many", "limit")]
    [InlineData("/users/{0}/roles?cursor=not-a-cursor", "cursor")]
    [InlineData("/roles?limit=0", "limit")]
    [InlineData("/roles?limit=101", "limit")]
    [InlineData("/roles?cursor=not-a-cursor", "cursor")]
    public async Task Listing_roles_with_a_bad_id_or_query_returns_400_naming_it(string path, string field)
    {
        using var response = await api.SendAsync(HttpMethod.Get, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, Guid.NewGuid()), token: ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task Listing_a_users_roles_or_all_roles_with_a_tampered_cursor_returns_400()
    {
        var (user, _) = await api.CreateAsync();
        for (var i = 0; i < 2; i++)
        {
            var (role, _) = await api.PostAsync("/roles", new { name = $"Tampered {i}" });
            using var put = await api.SendAsync(HttpMethod.Put, $"/users/{user.IdOf()}/roles/{role.Id()}", token: ApiFixture.AllScopes);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        foreach (var path in new[] { $"/users/{user.IdOf()}/roles?limit=1", "/roles?limit=1" })
        {
            var cursor = await api.NextCursorAsync(path);
            using var response = await api.SendAsync(HttpMethod.Get, $"{path}&cursor={Uri.EscapeDataString(Resources.Tampered(cursor))}", token: ApiFixture.AllScopes);
            await response.AssertFieldErrorAsync("cursor");
        }
    }

    [Fact]
    public async Task Listing_a_users_roles_without_the_read_scope_returns_403()
    {
        var (user, _) = await api.CreateAsync();
        using var response = await api.SendAsync(HttpMethod.Get, $"/users/{user.IdOf()}/roles", token: ApiFixture.Token(Scopes.Write, Scopes.Admin));
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("/users/not-a-uuid/roles/{0}", "id")]
    [InlineData("/users/{0}/roles/not-a-uuid", "roleId")]
    public async Task Granting_or_revoking_with_a_malformed_id_returns_400_naming_it_and_writes_nothing(string template, string field)
    {
        var before = await api.SnapshotAsync();
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Guid.NewGuid());
        using var put = await api.SendAsync(HttpMethod.Put, path, token: ApiFixture.AllScopes);
        await put.AssertFieldErrorAsync(field);
        using var delete = await api.SendAsync(HttpMethod.Delete, path, token: ApiFixture.AllScopes);
        await delete.AssertFieldErrorAsync(field);
        await api.AssertUnchangedAsync(before);
    }
}
