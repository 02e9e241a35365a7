using System.Net;
using System.Text.Json;
using Serverless.Api.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests.Users;

/// <summary>
/// Issue 12: password hashing is bounded on the Kestrel host. With one hash at a time and a queue of two, the test
/// holds the one permit itself, so which request waits and which is refused does not depend on timing.
/// </summary>
public sealed class PasswordHashingLimitTests(PasswordHashingFixture api) : IClassFixture<PasswordHashingFixture>
{
    [Fact]
    public async Task Creates_beyond_the_queue_get_503_with_Retry_After_and_write_nothing_while_queued_creates_succeed()
    {
        var ct = TestContext.Current.CancellationToken;
        var held = await api.Limiter.AcquireAsync(1, ct);
        Assert.True(held.IsAcquired);
        Task<HttpResponseMessage>[] queued;
        var refusedEmails = new[] { Json.UniqueEmail(), Json.UniqueEmail() };
        try
        {
            queued = [.. Enumerable.Range(0, PasswordHashingFixture.QueueLimit).Select(_ => api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), ApiFixture.AllScopes))];
            await AllQueuedAsync(ct);

            foreach (var email in refusedEmails)
            {
                using var refused = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(email), ApiFixture.AllScopes);
                await AssertBusyAsync(refused);
            }
        }
        finally
        {
            held.Dispose();
        }

        foreach (var task in queued)
        {
            using var created = await task;
            await created.ReadJsonAsync(HttpStatusCode.Created);
        }

        foreach (var email in refusedEmails)
        {
            var found = await api.GetOkAsync($"/users?email={Uri.EscapeDataString(email)}");
            Assert.Empty(found.GetProperty("items").EnumerateArray());
        }
    }

    [Fact]
    public async Task A_password_change_beyond_the_queue_gets_503_and_the_user_is_unchanged()
    {
        var ct = TestContext.Current.CancellationToken;
        var (user, etag) = await api.CreateAsync();
        var held = await api.Limiter.AcquireAsync(1, ct);
        var queued = new List<Task<HttpResponseMessage>>();
        try
        {
            for (var i = 0; i < PasswordHashingFixture.QueueLimit; i++)
            {
                queued.Add(api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), ApiFixture.AllScopes));
            }

            await AllQueuedAsync(ct);

            using var refused = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { password = "a brand new passphrase" }), ApiFixture.AllScopes, etag);
            await AssertBusyAsync(refused);
        }
        finally
        {
            held.Dispose();
        }

        foreach (var task in queued)
        {
            (await task).Dispose();
        }

        var after = await api.GetOkAsync($"/users/{user.IdOf()}");
        Assert.Equal(user.GetProperty("version").GetInt64(), after.GetProperty("version").GetInt64());
    }

    /// <summary>Until every request the queue has room for waits behind the held permit.</summary>
    private Task AllQueuedAsync(CancellationToken ct) =>
        Eventually.WaitUntilAsync(
            () => api.Limiter.GetStatistics()!.CurrentQueuedCount >= PasswordHashingFixture.QueueLimit,
            $"{PasswordHashingFixture.QueueLimit} requests were queued for password hashing",
            ct,
            interval: TimeSpan.FromMilliseconds(10));

    internal static async Task AssertBusyAsync(HttpResponseMessage response)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Null(ErrorMessagesTests.CheckProblemShape(response.Content.Headers.ContentType?.MediaType, problem.GetRawText()));
        Assert.Contains("nothing was written", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {response.Headers.RetryAfter}");
    }
}

public sealed class PasswordHashingWaitTests(ShortHashWaitFixture api) : IClassFixture<ShortHashWaitFixture>
{
    [Fact]
    public async Task A_create_that_waits_past_the_queue_timeout_gets_503_and_writes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = Json.UniqueEmail();
        using (var held = await api.Limiter.AcquireAsync(1, ct))
        {
            Assert.True(held.IsAcquired);
            using var refused = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(email), ApiFixture.AllScopes);
            await PasswordHashingLimitTests.AssertBusyAsync(refused);
        }

        var found = await api.GetOkAsync($"/users?email={Uri.EscapeDataString(email)}");
        Assert.Empty(found.GetProperty("items").EnumerateArray());

        // With the permit free again, the next create hashes and is written.
        using var created = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), ApiFixture.AllScopes);
        await created.ReadJsonAsync(HttpStatusCode.Created);
    }
}
