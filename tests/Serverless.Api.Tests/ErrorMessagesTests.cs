using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>
/// Issue 12: every error is a problem that says what was wrong and how to fix it, with a <c>type</c>, and never a
/// .NET type name.
/// </summary>
public sealed class ErrorMessagesTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static readonly string[] WrongValues = ["123", "1.5", "\"x\"", "\"\"", "true", "null", "{}", "[]", "[1]", "{\"a\": 1}"];

    private static readonly string[] WrongBodies = ["", "null", "5", "\"text\"", "[]", "[{}]", "{", "{}", "{\"a\": 1}", "{\"a\": 1,}"];

    [Fact]
    public async Task A_string_member_sent_a_number_must_be_a_string()
    {
        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body().Replace("\"Ann Example\"", "123", StringComparison.Ordinal), ApiFixture.AllScopes);
        Assert.Equal(["must be a string."], await response.AssertFieldErrorAsync("name"));
    }

    [Fact]
    public async Task A_null_name_must_not_be_null_and_names_no_type()
    {
        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body().Replace("\"Ann Example\"", "null", StringComparison.Ordinal), ApiFixture.AllScopes);
        Assert.Equal(["must not be null; send a string."], await response.AssertFieldErrorAsync("name"));
    }

    [Fact]
    public async Task An_order_line_with_a_product_id_that_is_not_a_UUID_must_be_a_UUID()
    {
        var body = Json.Of(new { userId = Guid.NewGuid(), items = new[] { new { productId = "nope", quantity = 1 } } });
        using var response = await api.SendAsync(HttpMethod.Post, "/orders", body, ApiFixture.AllScopes);
        Assert.Equal(["must be a UUID (such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301)."], await response.AssertFieldErrorAsync("items[0].productId"));
    }

    public static TheoryData<string, string> NullMembers { get; } = new()
    {
        { "metadata", "must not be null; send an object of string values." },
        { "addresses", "must not be null; send an array of objects." },
    };

    // These members are assigned through setters, which the streaming deserializer minimal APIs use did not check for
    // null: the user was written with a null map, and answering it was a 500.
    [Theory]
    [MemberData(nameof(NullMembers))]
    public async Task A_null_for_a_member_that_cannot_be_null_is_a_400_and_writes_nothing(string member, string message)
    {
        var before = await api.SnapshotAsync();
        var body = JsonNode.Parse(UserRequests.Body())!.AsObject();
        body[member] = null;

        using var response = await api.SendAsync(HttpMethod.Post, "/users", body.ToJsonString(), ApiFixture.AllScopes);

        Assert.Equal([message], await response.AssertFieldErrorAsync(member));
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task A_route_id_that_is_not_a_UUID_must_be_a_UUID()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/orders/not-a-uuid", token: ApiFixture.AllScopes);
        Assert.Equal(["must be a UUID (such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301)."], await response.AssertFieldErrorAsync("id"));
    }

    [Fact]
    public async Task An_out_of_range_createdWithinDays_is_keyed_by_its_query_parameter()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/users?createdWithinDays=0", token: ApiFixture.AllScopes);
        Assert.Equal(["must be between 1 and 366."], await response.AssertFieldErrorAsync("createdWithinDays"));
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_names_the_type_expected_and_the_type_sent()
    {
        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), ApiFixture.AllScopes, contentType: "text/plain");
        var problem = await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("application/json", detail, StringComparison.Ordinal);
        Assert.Contains("text/plain", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_PATCH_without_If_Match_is_a_428_problem_with_a_type()
    {
        var (user, _) = await api.CreateAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, $"/users/{user.IdOf()}", Json.Of(new { name = "No Precondition" }), ApiFixture.AllScopes);
        var problem = await response.AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-3", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_query_over_the_limit_is_a_414_problem_saying_the_limit()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/users?city=" + new string('x', 9000), token: ApiFixture.AllScopes);
        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestUriTooLong);
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.15", problem.GetProperty("type").GetString());
        Assert.Contains("8192", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_over_the_limit_are_a_431_problem_saying_the_limit()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.TryAddWithoutValidation("X-Padding", new string('p', 40 * 1024));
        using var response = await api.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestHeaderFieldsTooLarge);
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-5", problem.GetProperty("type").GetString());
        Assert.Contains("32768", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_wrong_value_in_every_body_gets_a_typed_problem_that_names_no_dotnet_type()
    {
        var (user, userETag) = await api.CreateAsync();
        var (product, productETag) = await api.CreateProductAsync(2.5m);
        var order = JsonNode.Parse(UserlessOrderBody(user.IdOf(), product.Id()))!.AsObject();
        using var created = await api.SendAsync(HttpMethod.Post, "/orders", order.ToJsonString(), ApiFixture.AllScopes);
        var orderBody = await created.ReadJsonAsync(HttpStatusCode.Created);

        var endpoints = new (HttpMethod Method, string Path, JsonObject Valid, string? IfMatch)[]
        {
            (HttpMethod.Post, "/users", FullUser(), null),
            (HttpMethod.Patch, $"/users/{user.IdOf()}", PatchOfUser(), userETag),
            (HttpMethod.Post, "/products", new JsonObject { ["name"] = "P", ["description"] = "d", ["price"] = 1.25m }, null),
            (HttpMethod.Patch, $"/products/{product.Id()}", new JsonObject { ["name"] = "P", ["description"] = "d", ["price"] = 1.25m }, productETag),
            (HttpMethod.Post, "/orders", order, null),
            (HttpMethod.Patch, $"/orders/{orderBody.Id()}", new JsonObject { ["status"] = "processing" }, created.Headers.ETag!.ToString()),
            (HttpMethod.Post, "/roles", new JsonObject { ["name"] = "R", ["description"] = "d" }, null),
            (HttpMethod.Post, $"/products/{product.Id()}/comments", new JsonObject { ["content"] = "c" }, null),
        };

        var failures = new List<string>();
        foreach (var (method, path, valid, ifMatch) in endpoints)
        {
            var bodies = WrongBodies.Concat(Paths(valid).SelectMany(p => WrongValues.Select(v => Replace(valid, p, v))));
            foreach (var body in bodies)
            {
                using var response = await api.SendAsync(method, path, body, ApiFixture.AllScopes, ifMatch);
                var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                if (CheckProblem((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text) is { } failure)
                {
                    failures.Add($"{method} {path} {body} -> {(int)response.StatusCode}: {failure}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>Null when the response is a success or a well-formed problem; what is wrong with it otherwise.</summary>
    internal static string? CheckProblem(int status, string? mediaType, string body)
    {
        if (status < 400)
        {
            return null;
        }

        return status >= 500 ? "a server error: " + body : CheckProblemShape(mediaType, body);
    }

    /// <summary>Null when <paramref name="body"/> is a problem with a type, title and detail that names no .NET type.</summary>
    internal static string? CheckProblemShape(string? mediaType, string body)
    {
        if (mediaType != "application/problem+json")
        {
            return $"not a problem ({mediaType}): {body}";
        }

        var problem = JsonDocument.Parse(body).RootElement;
        foreach (var member in new[] { "type", "title", "detail" })
        {
            if (!problem.TryGetProperty(member, out var value) || string.IsNullOrWhiteSpace(value.GetString()))
            {
                return $"no {member}: {body}";
            }
        }

        return System.Text.RegularExpressions.Regex.IsMatch(body, @"\b(?:System|Serverless|Microsoft)\.") ? "names a .NET type: " + body : null;
    }

    private static string UserlessOrderBody(string userId, string productId) =>
        Json.Of(new { userId, items = new[] { new { productId, quantity = 2 } } });

    private static JsonObject FullUser() => JsonNode.Parse(UserRequests.Body(extra: new
    {
        status = "active",
        metadata = new { source = "test" },
        profile = new { avatar = "a.png", bio = "b", preferences = new { theme = "dark" } },
        addresses = new[] { new { type = "home", street = "1 Road", city = "Town", country = "NL", isDefault = true } },
        balance = 1.5m,
        phone = "+14155550123",
    }))!.AsObject();

    private static JsonObject PatchOfUser()
    {
        var patch = FullUser();
        patch.Remove("email");
        patch.Remove("password");
        return patch;
    }

    /// <summary>Every member of <paramref name="node"/> and of what it holds, as a list of steps (names and indexes).</summary>
    private static IEnumerable<object[]> Paths(JsonNode node, object[]? prefix = null)
    {
        prefix ??= [];
        IEnumerable<(object Step, JsonNode? Child)> children = node switch
        {
            JsonObject o => o.Select(p => ((object)p.Key, p.Value)),
            JsonArray a => a.Select((c, i) => ((object)i, c)),
            _ => [],
        };
        foreach (var (step, child) in children)
        {
            object[] path = [.. prefix, step];
            yield return path;
            if (child is not null)
            {
                foreach (var deeper in Paths(child, path))
                {
                    yield return deeper;
                }
            }
        }
    }

    private static string Replace(JsonObject valid, object[] path, string value)
    {
        var copy = valid.DeepClone();
        var parent = copy;
        foreach (var step in path[..^1])
        {
            parent = step is int i ? parent![i]! : parent![(string)step]!;
        }

        var replacement = JsonNode.Parse(value);
        if (path[^1] is int index)
        {
            parent!.AsArray()[index] = replacement;
        }
        else
        {
            parent!.AsObject()[(string)path[^1]] = replacement;
        }

        return copy.ToJsonString();
    }
}
