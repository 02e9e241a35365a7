using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Amazon.DynamoDBv2.Model;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Serverless.Data.Items;
using Serverless.Data.Table;
using Xunit;

namespace Serverless.Api.Tests.Idempotency;

public sealed class IdempotencyTests(IdempotencyFixture api) : IClassFixture<IdempotencyFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_same_key_and_body_again_replays_the_first_response_and_writes_nothing()
    {
        var key = NewKey();
        var body = UserRequests.Body();
        var usersBefore = await api.UsersAsync();

        using var first = await SendAsync(HttpMethod.Post, "/users", body, key);
        var firstText = await first.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        var afterFirst = await api.SnapshotAsync();

        using var second = await SendAsync(HttpMethod.Post, "/users", body, key);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("true", Assert.Single(second.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(firstText, await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Equal(first.Content.Headers.ContentType, second.Content.Headers.ContentType);
        await api.AssertUnchangedAsync(afterFirst);
        Assert.Equal(usersBefore + 1, await api.UsersAsync());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_a_422_and_writes_nothing()
    {
        var key = NewKey();
        using var first = await SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var before = await api.SnapshotAsync();

        using var other = await SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), key);
        var problem = await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("another request", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task The_same_key_on_another_resource_is_a_422_not_the_first_resources_answer()
    {
        var (ann, annTag) = await api.CreateAsync();
        var (bob, bobTag) = await api.CreateAsync();
        var key = NewKey();
        using var first = await SendAsync(HttpMethod.Patch, $"/users/{ann.IdOf()}", """{"name":"Ann Other"}""", key, annTag);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var other = await SendAsync(HttpMethod.Patch, $"/users/{bob.IdOf()}", """{"name":"Ann Other"}""", key, bobTag);
        await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(bobTag, (await api.SendAsync(HttpMethod.Get, $"/users/{bob.IdOf()}", token: ApiFixture.AllScopes)).Headers.ETag?.ToString());
    }

    [Fact]
    public async Task A_patch_sent_again_with_its_key_replays_its_200_instead_of_a_412()
    {
        var (user, etag) = await api.CreateAsync();
        var key = NewKey();
        using var first = await SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", """{"name":"Ann Renamed"}""", key, etag);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var before = await api.SnapshotAsync();

        using var again = await SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", """{"name":"Ann Renamed"}""", key, etag);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("true", Assert.Single(again.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await again.Content.ReadAsStringAsync(Ct));
        await api.AssertUnchangedAsync(before);

        // Without the key the same stale If-Match is refused, as before.
        using var stale = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", """{"name":"Ann Renamed"}""", ApiFixture.AllScopes, etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
    }

    [Fact]
    public async Task A_duplicate_while_the_first_is_still_running_is_a_409_with_retry_after_and_one_user_is_made()
    {
        var key = NewKey();
        var body = UserRequests.Body();
        var usersBefore = await api.UsersAsync();
        var held = api.Faults.HoldNext();
        var first = SendAsync(HttpMethod.Post, "/users", body, key);
        try
        {
            await held.WaitAsync(Ct);
            using var duplicate = await SendAsync(HttpMethod.Post, "/users", body, key);
            await duplicate.AssertProblemAsync(HttpStatusCode.Conflict);
            Assert.True(duplicate.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }
        finally
        {
            api.Faults.Open();
        }

        using var firstResponse = await first;
        Assert.Equal(HttpStatusCode.Created, firstResponse.StatusCode);
        Assert.Equal(usersBefore + 1, await api.UsersAsync());
    }

    [Fact]
    public async Task A_record_left_in_progress_holds_a_duplicate_off_until_its_deadline_then_the_request_runs_again()
    {
        var key = NewKey();
        var body = UserRequests.Body();
        var record = await CompletedRecordAsync(body, key);

        // As a crashed first attempt leaves it: claimed, no response, its deadline still ahead.
        await api.DynamoDb.PutItemAsync(api.TableName, InProgress(record, DateTimeOffset.UtcNow.AddMinutes(5)), Ct);
        using var held = await SendAsync(HttpMethod.Post, "/users", body, key);
        await held.AssertProblemAsync(HttpStatusCode.Conflict);

        // Past its deadline (the invocation timed out), it counts as abandoned: the retry runs.
        await api.DynamoDb.PutItemAsync(api.TableName, InProgress(record, DateTimeOffset.UtcNow.AddSeconds(-1)), Ct);
        var users = await api.UsersAsync();
        using var retried = await SendAsync(HttpMethod.Post, "/users", body, key);
        // It ran again: the user it made the first time is there, so the create is refused as a taken email.
        await retried.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.False(retried.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(users, await api.UsersAsync());
    }

    [Fact]
    public async Task An_expired_record_is_not_replayed_the_request_runs_again()
    {
        var key = NewKey();
        var body = UserRequests.Body();
        var record = await CompletedRecordAsync(body, key);
        var expired = new Dictionary<string, AttributeValue>(record) { [Attr.Ttl] = Av.EpochSeconds(DateTimeOffset.UtcNow.AddSeconds(-5)) };
        await api.DynamoDb.PutItemAsync(api.TableName, expired, Ct);

        using var again = await SendAsync(HttpMethod.Post, "/users", body, key);
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
        // Run again, the create meets its own first user's email.
        await again.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_request_that_failed_leaves_no_record_and_its_retry_runs()
    {
        var key = NewKey();
        var body = UserRequests.Body();
        var usersBefore = await api.UsersAsync();
        var recordsBefore = (await api.RecordsAsync()).Count;
        api.Faults.FailNext();

        using var failed = await SendAsync(HttpMethod.Post, "/users", body, key);
        Assert.True((int)failed.StatusCode >= 500, $"status {(int)failed.StatusCode}");
        Assert.Equal(recordsBefore, (await api.RecordsAsync()).Count);
        Assert.Equal(usersBefore, await api.UsersAsync());

        using var retried = await SendAsync(HttpMethod.Post, "/users", body, key);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.False(retried.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(usersBefore + 1, await api.UsersAsync());
    }

    public static TheoryData<string, string[]> InvalidKeys { get; } = new()
    {
        { "too long", [new string('k', 256)] },
        { "a control character", ["a\tb"] },
        { "empty", [""] },
    };

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task An_invalid_key_is_a_400_naming_the_header_and_writes_nothing(string why, string[] keys)
    {
        _ = why;
        var before = await api.SnapshotAsync();
        using var request = Request(HttpMethod.Post, "/users", UserRequests.Body());
        foreach (var key in keys)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        using var response = await api.Http.SendAsync(request, Ct);
        await response.AssertFieldErrorAsync("Idempotency-Key");
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task The_record_holds_no_PII_no_key_and_no_caller_in_clear()
    {
        var key = "order-" + Guid.NewGuid().ToString("N");
        var email = Json.UniqueEmail();
        var name = "Zebulon Quixotic";
        var record = await CompletedRecordAsync(UserRequests.Body(email, name), key);

        var text = Describe(record);
        foreach (var secret in new[] { email, name, "Zebulon", key, ApiFixture.Subject })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.StartsWith(KeyPrefix.Idempotency, record[Attr.PK].S, StringComparison.Ordinal);
        Assert.Equal("completed", record[Attr.Status].S);
        Assert.Equal(201, int.Parse(record[Attr.ResponseStatus].N, System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotNull(record[Attr.ResponseBody].B);
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_header_on_every_post_and_the_user_patch_only()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/openapi/v1.json", token: ApiFixture.AllScopes);
        var document = await response.ReadJsonAsync(HttpStatusCode.OK);
        var posts = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var declares = operation.Value.TryGetProperty("parameters", out var parameters)
                    && parameters.EnumerateArray().Any(p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header");
                var expected = operation.Name == "post" || (operation.Name == "patch" && path.Name == "/users/{id}");
                posts += operation.Name == "post" ? 1 : 0;
                Assert.True(expected == declares, $"{operation.Name} {path.Name}");
                if (expected)
                {
                    Assert.True(operation.Value.GetProperty("responses").TryGetProperty("422", out _), $"{operation.Name} {path.Name} declares no 422");
                }
            }
        }

        Assert.True(posts >= 5, "every resource's POST is in the document");
    }

    /// <summary>Creates a user with the key and returns the one record the create left.</summary>
    private async Task<Dictionary<string, AttributeValue>> CompletedRecordAsync(string body, string key)
    {
        var before = (await api.RecordsAsync()).Select(r => r[Attr.PK].S).ToHashSet(StringComparer.Ordinal);
        using var created = await SendAsync(HttpMethod.Post, "/users", body, key);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return Assert.Single(await api.RecordsAsync(), r => !before.Contains(r[Attr.PK].S));
    }

    private static Dictionary<string, AttributeValue> InProgress(Dictionary<string, AttributeValue> record, DateTimeOffset until)
    {
        var item = new Dictionary<string, AttributeValue>(record)
        {
            [Attr.Status] = Av.S("inProgress"),
            [Attr.InProgressUntil] = Av.Time(until),
            [Attr.ClaimToken] = Av.S("crashed-" + Guid.NewGuid().ToString("N")),
        };
        item.Remove(Attr.ResponseStatus);
        item.Remove(Attr.ResponseHeaders);
        item.Remove(Attr.ResponseBody);
        return item;
    }

    private static string Describe(Dictionary<string, AttributeValue> item) =>
        string.Join("\n", item.Select(a => a.Key + "=" + Describe(a.Value)));

    private static string Describe(AttributeValue value) =>
        value.S ?? value.N
        ?? (value.B is { } b ? Convert.ToBase64String(b.ToArray()) + " " + Encoding.UTF8.GetString(b.ToArray())
            : value.M is { } m ? "{" + string.Join(",", m.Select(e => e.Key + ":" + Describe(e.Value))) + "}"
            : "?");

    private static string NewKey() => Guid.NewGuid().ToString();

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string body, string key, string? ifMatch = null)
    {
        var request = Request(method, path, body);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return api.Http.SendAsync(request, Ct);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string body)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiFixture.AllScopes);
        return request;
    }
}
