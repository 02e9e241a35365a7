using System.Net;
using Serverless.Api.Tests.Support;
using Serverless.Data.Table;
using Xunit;

namespace Serverless.Api.Tests.Users;

/// <summary>A password is accepted on create and PATCH, and from then on appears in no response and no log line.</summary>
public sealed class PasswordSecrecyTests(TraceLoggingFixture api) : IClassFixture<TraceLoggingFixture>
{
    [Fact]
    public async Task A_password_sent_on_create_and_on_patch_never_appears_in_a_response_or_a_log_even_at_trace_level()
    {
        var onCreate = "create-secret-" + Guid.NewGuid().ToString("N");
        var onPatch = "patch-secret-" + Guid.NewGuid().ToString("N");
        var tooShort = "Zq7#Kp2";
        var email = Json.UniqueEmail();
        var responses = new List<string>();

        async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json, string? ifMatch = null)
        {
            var response = await api.SendAsync(method, path, json, ApiFixture.AllScopes, ifMatch);
            responses.Add(response.Headers + "\n" + response.Content.Headers + "\n" + await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            return response;
        }

        using var created = await SendAsync(HttpMethod.Post, "/users", UserRequests.Body(email, password: onCreate));
        var user = await created.ReadJsonAsync(HttpStatusCode.Created);
        var path = $"/users/{user.IdOf()}";
        // The failure paths see the password too: a taken email (409), a password the rules refuse (400), a stale ETag (412).
        using var duplicate = await SendAsync(HttpMethod.Post, "/users", UserRequests.Body(email, password: onCreate));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        using var refused = await SendAsync(HttpMethod.Post, "/users", UserRequests.Body(password: tooShort));
        await refused.AssertFieldErrorAsync("password");
        using var patched = await SendAsync(HttpMethod.Patch, path, Json.Of(new { password = onPatch }), created.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        using var stale = await SendAsync(HttpMethod.Patch, path, Json.Of(new { password = onCreate }), created.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        using var read = await SendAsync(HttpMethod.Get, path, null);

        var hash = (await api.OpenedUserItemAsync(user.IdOf()))[Attr.PasswordHash].S;
        var secrets = new[] { onCreate, onPatch, tooShort, hash, hash.Split('$')[^1] };
        var logs = api.Logs.Entries.ToList();

        // The capture really ran at Debug and below, and saw these requests: an empty log proves nothing.
        Assert.Contains(logs, l => l.StartsWith("Debug ", StringComparison.Ordinal) || l.StartsWith("Trace ", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains(path, StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(responses, r => r.Contains(secret, StringComparison.Ordinal));
        }
    }
}
