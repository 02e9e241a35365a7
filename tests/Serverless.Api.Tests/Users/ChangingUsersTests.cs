using System.Net;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Data.Table;
using Serverless.Domain.Security;
using Xunit;

namespace Serverless.Api.Tests.Users;

public sealed class ChangingUsersTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Getting_a_user_returns_it_with_its_etag()
    {
        var (user, etag) = await api.CreateAsync();
        using var response = await api.SendAsync(HttpMethod.Get, $"/users/{user.IdOf()}", token: ApiFixture.Token(Scopes.Read));
        var body = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(etag, response.Headers.ETag?.ToString());
        Assert.Equal(user.GetProperty("email").GetString(), body.GetProperty("email").GetString());
        Assert.False(body.TryGetProperty("passwordHash", out _));
    }

    [Fact]
    public async Task Getting_an_unknown_user_returns_404()
    {
        using var response = await api.SendAsync(HttpMethod.Get, $"/users/{Guid.NewGuid()}", token: ApiFixture.Token(Scopes.Read));
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Getting_a_user_by_a_malformed_id_returns_400_naming_id()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/users/not-a-uuid", token: ApiFixture.Token(Scopes.Read));
        await response.AssertFieldErrorAsync("id");
    }

    [Fact]
    public async Task Patching_with_the_current_etag_changes_only_the_members_sent()
    {
        var (user, etag) = await api.CreateAsync(UserRequests.Body(extra: new { phone = "+14155550123", balance = 5m }));
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { name = "Renamed Person", phone = (string?)null }), ApiFixture.AllScopes, etag);
        var body = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("\"2\"", response.Headers.ETag?.ToString());
        Assert.Equal("Renamed Person", body.GetProperty("name").GetString());
        Assert.Equal(JsonValueKindNull, body.GetProperty("phone").ValueKind);
        Assert.Equal(5m, body.GetProperty("balance").GetDecimal());
        Assert.Equal(user.GetProperty("email").GetString(), body.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Patching_the_password_stores_a_new_hash_and_never_returns_it()
    {
        var (user, etag) = await api.CreateAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { password = "a brand new passphrase" }), ApiFixture.AllScopes, etag);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("pbkdf2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("password", text, StringComparison.OrdinalIgnoreCase);
        var item = await api.OpenedUserItemAsync(user.IdOf());
        Assert.True(PasswordHasher.Verify("a brand new passphrase", item[Attr.PasswordHash].S));
    }

    [Fact]
    public async Task Patching_without_If_Match_returns_428_and_writes_nothing()
    {
        var (user, _) = await api.CreateAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { name = "Nope" }), ApiFixture.AllScopes);
        await response.AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        await api.AssertUnchangedAsync(before);
    }

    [Theory]
    [InlineData("\"7\"")]
    [InlineData("W/\"1\"")]
    [InlineData("\"abc\"")]
    public async Task Patching_with_an_etag_that_does_not_match_returns_412_and_writes_nothing(string ifMatch)
    {
        var (user, _) = await api.CreateAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { name = "Nope" }), ApiFixture.AllScopes, ifMatch);
        await response.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await api.AssertUnchangedAsync(before);
    }

    [Theory]
    [InlineData("{\"email\": null}", "email")]
    [InlineData("{\"balance\": -1}", "balance")]
    [InlineData("{\"balance\": \"1\"}", "balance")]
    [InlineData("{\"status\": \"gone\"}", "status")]
    [InlineData("{\"status\": \"deleted\"}", "status")]
    [InlineData("{\"nickname\": \"x\"}", "nickname")]
    [InlineData("{\"email\": \"nope\"}", "email")]
    [InlineData("{\"password\": \"short\"}", "password")]
    [InlineData("{\"addresses\": [{\"type\": \"home\", \"street\": \"s\", \"city\": \"c\"}]}", "addresses[0].country")]
    [InlineData("{\"name\": ", "name")]
    public async Task Patching_with_an_invalid_body_returns_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        var (user, etag) = await api.CreateAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", body, ApiFixture.AllScopes, etag);
        await response.AssertFieldErrorAsync(field);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Patching_an_unknown_user_returns_404()
    {
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{Guid.NewGuid()}", Json.Of(new { name = "x" }), ApiFixture.AllScopes, "\"1\"");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Patching_to_a_taken_email_returns_409_and_writes_nothing()
    {
        var (other, _) = await api.CreateAsync();
        var (user, etag) = await api.CreateAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { email = other.GetProperty("email").GetString() }), ApiFixture.AllScopes, etag);
        await response.AssertFieldErrorAsync("email", HttpStatusCode.Conflict);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Patching_with_only_the_read_scope_returns_403_and_writes_nothing()
    {
        var (user, etag) = await api.CreateAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { name = "x" }), ApiFixture.Token(Scopes.Read), etag);
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Two_concurrent_patches_with_the_same_etag_let_exactly_one_win_and_lose_no_update()
    {
        var (user, etag) = await api.CreateAsync();
        var path = $"/users/{user.IdOf()}";
        var first = api.SendAsync(HttpMethod.Patch, path, Json.Of(new { name = "First Writer" }), ApiFixture.AllScopes, etag);
        var second = api.SendAsync(HttpMethod.Patch, path, Json.Of(new { balance = 42m }), ApiFixture.AllScopes, etag);
        using var a = await first;
        using var b = await second;

        var statuses = new[] { a.StatusCode, b.StatusCode };
        Assert.Single(statuses, s => s == HttpStatusCode.OK);
        Assert.Single(statuses, s => s == HttpStatusCode.PreconditionFailed);
        var loser = a.StatusCode == HttpStatusCode.OK ? b : a;
        await loser.AssertProblemAsync(HttpStatusCode.PreconditionFailed);

        // The loser re-reads and retries with the new ETag: both changes end up stored, neither overwrote the other.
        using var current = await api.SendAsync(HttpMethod.Get, path, token: ApiFixture.AllScopes);
        var winnerBody = await current.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, winnerBody.GetProperty("version").GetInt64());
        var retryBody = ReferenceEquals(loser, a) ? Json.Of(new { name = "First Writer" }) : Json.Of(new { balance = 42m });
        using var retry = await api.SendAsync(HttpMethod.Patch, path, retryBody, ApiFixture.AllScopes, current.Headers.ETag!.ToString());
        var final = await retry.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("First Writer", final.GetProperty("name").GetString());
        Assert.Equal(42m, final.GetProperty("balance").GetDecimal());
        Assert.Equal(3, final.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Deleting_soft_deletes_and_restoring_brings_the_user_back()
    {
        var email = Json.UniqueEmail();
        var (user, etag) = await api.CreateAsync(UserRequests.Body(email));
        var path = $"/users/{user.IdOf()}";

        using var deleted = await api.SendAsync(HttpMethod.Delete, path, token: ApiFixture.AllScopes, ifMatch: etag);
        var body = await deleted.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("deleted", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKindString, body.GetProperty("purgeAfter").ValueKind);

        using var byEmail = await api.SendAsync(HttpMethod.Get, $"/users?email={Uri.EscapeDataString(email)}", token: ApiFixture.AllScopes);
        Assert.Equal(0, (await byEmail.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("items").GetArrayLength());

        using var restored = await api.SendAsync(HttpMethod.Post, $"{path}/restore", token: ApiFixture.AllScopes, ifMatch: deleted.Headers.ETag!.ToString());
        Assert.Equal("active", (await restored.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString());

        using var again = await api.SendAsync(HttpMethod.Get, $"/users?email={Uri.EscapeDataString(email)}", token: ApiFixture.AllScopes);
        Assert.Equal(1, (await again.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("current")]
    [InlineData("*")]
    [InlineData("stale")]
    public async Task Deleting_a_soft_deleted_user_returns_409_saying_it_is_already_deleted_and_how_to_restore_it(string ifMatch)
    {
        var (user, etag) = await api.CreateAsync();
        var path = $"/users/{user.IdOf()}";
        using var deleted = await api.SendAsync(HttpMethod.Delete, path, token: ApiFixture.AllScopes, ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var before = await api.SnapshotAsync();

        var sent = ifMatch switch { "current" => deleted.Headers.ETag!.ToString(), "stale" => etag, _ => ifMatch };
        using var again = await api.SendAsync(HttpMethod.Delete, path, token: ApiFixture.AllScopes, ifMatch: sent);

        var problem = await again.AssertProblemAsync(HttpStatusCode.Conflict);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("already deleted", detail, StringComparison.Ordinal);
        Assert.Contains($"POST /users/{user.IdOf()}/restore", detail, StringComparison.Ordinal);
        await api.AssertUnchangedAsync(before);
        // GET says the same: the user is there, deleted.
        Assert.Equal("deleted", (await api.GetOkAsync(path)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Patching_a_soft_deleted_user_returns_409_saying_how_to_restore_it_and_writes_nothing()
    {
        var (user, etag) = await api.CreateAsync();
        var path = $"/users/{user.IdOf()}";
        using var deleted = await api.SendAsync(HttpMethod.Delete, path, token: ApiFixture.AllScopes, ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var before = await api.SnapshotAsync();

        using var response = await api.SendAsync(HttpMethod.Patch, path, Json.Of(new { name = "Still Here" }), ApiFixture.AllScopes, deleted.Headers.ETag!.ToString());

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains($"POST /users/{user.IdOf()}/restore", problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Deleting_without_If_Match_returns_428_and_writes_nothing()
    {
        var (user, _) = await api.CreateAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Delete, $"/users/{user.IdOf()}", token: ApiFixture.AllScopes);
        await response.AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Deleting_with_a_stale_etag_returns_412_and_writes_nothing()
    {
        var (user, _) = await api.CreateAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Delete, $"/users/{user.IdOf()}", token: ApiFixture.AllScopes, ifMatch: "\"9\"");
        await response.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Deleting_an_unknown_user_returns_404()
    {
        using var response = await api.SendAsync(HttpMethod.Delete, $"/users/{Guid.NewGuid()}", token: ApiFixture.AllScopes, ifMatch: "\"1\"");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Restoring_a_user_that_is_not_deleted_returns_409()
    {
        var (user, _) = await api.CreateAsync();
        using var response = await api.SendAsync(HttpMethod.Post, $"/users/{user.IdOf()}/restore", token: ApiFixture.AllScopes);
        await response.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Restoring_an_unknown_user_returns_404()
    {
        using var response = await api.SendAsync(HttpMethod.Post, $"/users/{Guid.NewGuid()}/restore", token: ApiFixture.AllScopes);
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deleting_with_only_the_read_scope_returns_403_and_writes_nothing()
    {
        var (user, etag) = await api.CreateAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Delete, $"/users/{user.IdOf()}", token: ApiFixture.Token(Scopes.Read), ifMatch: etag);
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Restoring_with_a_stale_etag_returns_412_and_writes_nothing()
    {
        var (user, etag) = await api.CreateAsync();
        using var deleted = await api.SendAsync(HttpMethod.Delete, $"/users/{user.IdOf()}", token: ApiFixture.AllScopes, ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var before = await api.SnapshotAsync();

        // The ETag from before the delete: the client never saw the deletion it would be undoing.
        using var response = await api.SendAsync(HttpMethod.Post, $"/users/{user.IdOf()}/restore", token: ApiFixture.AllScopes, ifMatch: etag);
        await response.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Restoring_without_the_write_scope_returns_403_and_writes_nothing()
    {
        var (user, etag) = await api.CreateAsync();
        using var deleted = await api.SendAsync(HttpMethod.Delete, $"/users/{user.IdOf()}", token: ApiFixture.AllScopes, ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var before = await api.SnapshotAsync();

        using var response = await api.SendAsync(HttpMethod.Post, $"/users/{user.IdOf()}/restore", token: ApiFixture.Token(Scopes.Read, Scopes.Admin), ifMatch: deleted.Headers.ETag!.ToString());
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Restoring_a_user_by_a_malformed_id_returns_400_naming_id()
    {
        using var response = await api.SendAsync(HttpMethod.Post, "/users/not-a-uuid/restore", token: ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("id");
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
    private const System.Text.Json.JsonValueKind JsonValueKindString = System.Text.Json.JsonValueKind.String;
}
