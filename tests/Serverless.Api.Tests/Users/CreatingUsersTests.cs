using System.Net;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Data.Table;
using Serverless.Domain.Security;
using Xunit;

namespace Serverless.Api.Tests.Users;

public sealed class CreatingUsersTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Creating_a_user_returns_201_with_location_etag_and_no_password()
    {
        var email = Json.UniqueEmail();
        using var response = await api.SendAsync(
            HttpMethod.Post,
            "/users",
            UserRequests.Body(email, extra: new
            {
                status = "inactive",
                balance = 12.5m,
                phone = "+14155550123",
                metadata = new { source = "test" },
                profile = new { bio = "hello", preferences = new { theme = "dark" } },
                addresses = new[] { new { type = "home", street = "1 Main St", city = "Springfield", country = "US", isDefault = true } },
            }),
            ApiFixture.AllScopes);

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var user = await response.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal($"/users/{user.IdOf()}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
        Assert.Equal(email, user.GetProperty("email").GetString());
        Assert.Equal("inactive", user.GetProperty("status").GetString());
        Assert.Equal("home", user.GetProperty("addresses")[0].GetProperty("type").GetString());
        Assert.Equal(12.5m, user.GetProperty("balance").GetDecimal());
        Assert.DoesNotContain("password", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("pbkdf2", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_stored_password_is_a_PBKDF2_hash_and_the_token_subject_is_the_last_writer()
    {
        var (user, _) = await api.CreateAsync(UserRequests.Body(password: "a long enough secret"));
        var stored = (await api.ItemsAsync()).Single(i => i[Attr.PK].S == "USER#" + user.IdOf() && i[Attr.SK].S == "PROFILE");
        Assert.Null(stored[Attr.PasswordHash].S);
        var item = await api.OpenedUserItemAsync(user.IdOf());

        var hash = item[Attr.PasswordHash].S;
        Assert.StartsWith("pbkdf2-sha256$600000$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify("a long enough secret", hash));
        Assert.False(PasswordHasher.Verify("a long enough secreT", hash));
        Assert.Equal(ApiFixture.Subject, item[Attr.LastWriter].S);
    }

    public static TheoryData<string, string, string> InvalidBodies { get; } = new()
    {
        { "unknown property", UserRequests.Body(extra: new { nickname = "x" }), "nickname" },
        { "property in another case", UserRequests.Body().Replace("\"email\"", "\"Email\"", StringComparison.Ordinal), "Email" },
        { "unknown enum value", UserRequests.Body(extra: new { status = "banned" }), "status" },
        { "enum as a number", UserRequests.Body(extra: new { status = 1 }), "status" },
        { "unknown nested enum value", UserRequests.Body(extra: new { addresses = new[] { new { type = "castle", street = "s", city = "c", country = "US" } } }), "addresses[0].type" },
        { "number as a string", UserRequests.Body(extra: new { balance = "12" }), "balance" },
        { "string as a number", UserRequests.Body().Replace("\"Ann Example\"", "42", StringComparison.Ordinal), "name" },
        { "over-long name", UserRequests.Body(name: new string('n', 256)), "name" },
        { "over-long nested string", UserRequests.Body(extra: new { addresses = new[] { new { type = "home", street = new string('s', 256), city = "c", country = "US" } } }), "addresses[0].street" },
        { "invalid email", UserRequests.Body(email: "not-an-email"), "email" },
        { "negative balance", UserRequests.Body(extra: new { balance = -0.01m }), "balance" },
        { "balance with three decimals", UserRequests.Body(extra: new { balance = 1.005m }), "balance" },
        { "invalid phone", UserRequests.Body(extra: new { phone = "555-0123" }), "phone" },
        { "short password", UserRequests.Body(password: "short"), "password" },
        { "missing password", Json.Of(new { email = Json.UniqueEmail(), name = "No Password" }), "password" },
        { "null name", UserRequests.Body().Replace("\"Ann Example\"", "null", StringComparison.Ordinal), "name" },
        { "status deleted", UserRequests.Body(extra: new { status = "deleted" }), "status" },
        { "duplicate member", UserRequests.Body().Replace("\"name\":", "\"name\":\"x\",\"name\":", StringComparison.Ordinal), "name" },
        { "malformed JSON", "{\"email\": \"a@example.com\", \"name\": ", "name" },
        { "not an object", "[1, 2, 3]", "$" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Creating_a_user_with_an_invalid_body_returns_400_naming_the_field_and_writes_nothing(string @case, string body, string field)
    {
        var before = await api.CountItemsAsync();
        using var response = await api.SendAsync(HttpMethod.Post, "/users", body, ApiFixture.AllScopes);
        var messages = await response.AssertFieldErrorAsync(field);
        Assert.All(messages, m => Assert.DoesNotContain("System.", m, StringComparison.Ordinal));
        Assert.True(before == await api.CountItemsAsync(), $"'{@case}' wrote to the table.");
    }

    [Fact]
    public async Task Creating_a_user_with_an_empty_body_returns_400()
    {
        using var response = await api.SendAsync(HttpMethod.Post, "/users", "", ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("$");
    }

    [Fact]
    public async Task Creating_a_user_with_a_body_over_the_limit_returns_413_and_writes_nothing()
    {
        var before = await api.CountItemsAsync();
        var huge = UserRequests.Body(extra: new { profile = new { bio = new string('b', 70 * 1024) } });
        using var response = await api.SendAsync(HttpMethod.Post, "/users", huge, ApiFixture.AllScopes);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await api.CountItemsAsync());
    }

    [Fact]
    public async Task Creating_a_user_with_a_chunked_body_over_the_limit_returns_413_and_writes_nothing()
    {
        var before = await api.CountItemsAsync();
        var huge = UserRequests.Body(extra: new { profile = new { bio = new string('b', 70 * 1024) } });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/users")
        {
            Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge))),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Authorization = new("Bearer", ApiFixture.AllScopes);
        using var response = await api.Http.SendAsync(request, TestContext.Current.CancellationToken);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await api.CountItemsAsync());
    }

    [Fact]
    public async Task Creating_a_user_with_a_non_JSON_content_type_returns_415_and_writes_nothing()
    {
        var before = await api.CountItemsAsync();
        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), ApiFixture.AllScopes, contentType: "text/plain");
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await api.CountItemsAsync());
    }

    [Fact]
    public async Task Creating_a_user_with_a_taken_email_returns_409()
    {
        var email = Json.UniqueEmail();
        await api.CreateAsync(UserRequests.Body(email));
        var before = await api.CountItemsAsync();

        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(email.ToUpperInvariant()), ApiFixture.AllScopes);
        await response.AssertFieldErrorAsync("email", HttpStatusCode.Conflict);
        Assert.Equal(before, await api.CountItemsAsync());
    }

    [Fact]
    public async Task Concurrent_creates_with_one_email_let_exactly_one_win()
    {
        var email = Json.UniqueEmail();
        // Five hashes at once can exceed the server's hashing limit on a loaded machine: that answer is 503 with
        // Retry-After and writes nothing, and a client does what it says. The race is decided among the requests
        // that got through, so each racer retries until it gets an answer that is not "retry".
        async Task<HttpResponseMessage> RaceAsync(int i)
        {
            for (var attempt = 0; ; attempt++)
            {
                var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(email, name: $"Racer {i}"), ApiFixture.AllScopes);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 50)
                {
                    return response;
                }

                Assert.NotNull(response.Headers.RetryAfter);
                response.Dispose();
                await Task.Delay(TimeSpan.FromMilliseconds(100 + Random.Shared.Next(200)), TestContext.Current.CancellationToken);
            }
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(RaceAsync));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(4, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Creating_a_user_without_a_token_returns_401_and_writes_nothing()
    {
        var before = await api.CountItemsAsync();
        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body());
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(before, await api.CountItemsAsync());
    }

    [Fact]
    public async Task Creating_a_user_with_only_the_read_scope_returns_403_and_writes_nothing()
    {
        var before = await api.CountItemsAsync();
        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), ApiFixture.Token(Scopes.Read));
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(before, await api.CountItemsAsync());
    }
}
