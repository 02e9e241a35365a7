using System.Net;
using System.Text.Json;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests.Problems;

/// <summary>
/// Every string a client sends, in any body field or query parameter of any route, obeys the text rule: NUL, a line
/// break where the field is one line, a bidirectional override or an unpaired surrogate is a 400 that names the field
/// and the character, never repeats the value, and writes nothing.
/// </summary>
public sealed class BadStringTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    /// <summary>Marks where the bad character goes in a body template; the text around it must never come back.</summary>
    private const string Mark = "_BAD_";

    private const string Around = "Zebulon";

    /// <summary>Each bad character as JSON text (escaped or raw) and the code point the problem must name.</summary>
    public static TheoryData<string> BadCharacters { get; } = ["NUL", "CR LF", "U+202E escaped", "U+202E raw", "lone surrogate", "U+2066", "ESC"];

    private static (string Json, string CodePoint, bool LineBreak) Character(string name) => name switch
    {
        "NUL" => (@"\u0000", "U+0000", false),
        "CR LF" => (@"\r\n", "U+000D", true),
        "U+202E escaped" => (@"\u202E", "U+202E", false),
        "U+202E raw" => ("\u202E", "U+202E", false),
        // The JSON reader refuses it before any rule runs, and cannot say which code unit it was.
        "lone surrogate" => (@"\ud800", "without unpaired surrogates", false),
        "U+2066" => (@"\u2066", "U+2066", false),
        "ESC" => (@"\u001b[2J", "U+001B", false),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(BadCharacters))]
    public async Task Every_string_field_of_every_body_refuses_the_character_naming_the_field_and_writes_nothing(string character)
    {
        var (bad, codePoint, lineBreak) = Character(character);
        var (user, userETag) = await api.CreateAsync();
        var (product, productETag) = await api.CreateProductAsync(3m);
        var userPath = "/users/" + user.IdOf();
        var productPath = "/products/" + product.Id();

        var cases = new List<(HttpMethod Method, string Path, string? IfMatch, string Field, bool FreeText, object Body)>
        {
            (HttpMethod.Post, "/users", null, "email", false, NewUser(email: "zebulon" + Mark + "@example.com")),
            (HttpMethod.Post, "/users", null, "name", false, NewUser(name: Around + Mark)),
            (HttpMethod.Post, "/users", null, "password", false, NewUser(password: "correct horse " + Mark + " battery")),
            (HttpMethod.Post, "/users", null, "phone", false, NewUser(extra: new { phone = "+1415" + Mark + "5550123" })),
            (HttpMethod.Post, "/users", null, "metadata.source", true, NewUser(extra: new { metadata = new { source = Around + Mark } })),
            (HttpMethod.Post, "/users", null, "metadata", false, NewUser(extra: new { metadata = new Dictionary<string, string> { [Around + Mark] = "x" } })),
            (HttpMethod.Post, "/users", null, "profile.avatar", false, NewUser(extra: new { profile = new { avatar = Around + Mark } })),
            (HttpMethod.Post, "/users", null, "profile.bio", true, NewUser(extra: new { profile = new { bio = Around + Mark } })),
            (HttpMethod.Post, "/users", null, "profile.preferences.theme", true, NewUser(extra: new { profile = new { preferences = new { theme = Around + Mark } } })),
            (HttpMethod.Post, "/users", null, "addresses[0].street", false, NewUser(extra: new { addresses = new[] { Address(street: Around + Mark) } })),
            (HttpMethod.Post, "/users", null, "addresses[0].city", false, NewUser(extra: new { addresses = new[] { Address(city: Around + Mark) } })),
            (HttpMethod.Post, "/users", null, "addresses[0].country", false, NewUser(extra: new { addresses = new[] { Address(country: Around + Mark) } })),
            (HttpMethod.Patch, userPath, userETag, "name", false, new { name = Around + Mark }),
            (HttpMethod.Patch, userPath, userETag, "email", false, new { email = "zebulon" + Mark + "@example.com" }),
            (HttpMethod.Patch, userPath, userETag, "password", false, new { password = "correct horse " + Mark + " battery" }),
            (HttpMethod.Patch, userPath, userETag, "phone", false, new { phone = "+1415" + Mark + "5550123" }),
            (HttpMethod.Patch, userPath, userETag, "metadata.source", true, new { metadata = new { source = Around + Mark } }),
            (HttpMethod.Patch, userPath, userETag, "profile.bio", true, new { profile = new { bio = Around + Mark } }),
            (HttpMethod.Patch, userPath, userETag, "addresses[0].city", false, new { addresses = new[] { Address(city: Around + Mark) } }),
            (HttpMethod.Post, "/products", null, "name", false, new { name = Around + Mark, price = 1m }),
            (HttpMethod.Post, "/products", null, "description", true, new { name = "P", description = Around + Mark, price = 1m }),
            (HttpMethod.Patch, productPath, productETag, "name", false, new { name = Around + Mark }),
            (HttpMethod.Patch, productPath, productETag, "description", true, new { description = Around + Mark }),
            (HttpMethod.Post, "/roles", null, "name", false, new { name = Around + Mark }),
            (HttpMethod.Post, "/roles", null, "description", true, new { name = "R" + Guid.NewGuid().ToString("N"), description = Around + Mark }),
            (HttpMethod.Post, productPath + "/comments", null, "content", true, new { content = Around + Mark }),
            (HttpMethod.Post, userPath + "/comments", null, "content", true, new { content = Around + Mark }),
        };

        var failures = new List<string>();
        foreach (var (method, path, ifMatch, field, freeText, body) in cases)
        {
            if (lineBreak && freeText)
            {
                continue; // Allowed there: see Free_text_keeps_its_line_breaks_and_tabs.
            }

            var json = Json.Of(body).Replace(Mark, bad, StringComparison.Ordinal);
            var before = await api.SnapshotAsync();
            using var response = await api.SendAsync(method, path, json, ApiFixture.AllScopes, ifMatch);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            if (Check(response, text, field, codePoint) is { } failure)
            {
                failures.Add($"{method} {path} {field}: {failure}");
            }

            if (!(await api.SnapshotAsync()).SequenceEqual(before))
            {
                failures.Add($"{method} {path} {field}: the table changed");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    public static TheoryData<string, string, string> BadQueries { get; } = new()
    {
        { "/users/search?q=Zebulon%00", "q", "U+0000" },
        { "/users/search?q=Zebulon%0D%0ADrop", "q", "U+000D" },
        { "/users/search?q=Zebulon%E2%80%AE", "q", "U+202E" },
        { "/users?city=Zebulon%E2%80%AE", "city", "U+202E" },
        { "/users?city=Zebulon%0A", "city", "U+000A" },
        { "/users?status=active%00", "status", "U+0000" },
        { "/users?email=zebulon%E2%81%A6@example.com", "email", "U+2066" },
        { "/users?createdWithinDays=7%0A", "createdWithinDays", "U+000A" },
        { "/orders?userId=Zebulon%1B", "userId", "U+001B" },
        { "/products?cursor=Zebulon%00", "cursor", "U+0000" },
        { "/products?limit=5%E2%80%8F", "limit", "U+200F" },
        { "/users/search?q=Zebulon&q%00=x", "query", "U+0000" },
        { "/audit/User%E2%80%AEZebulon/" + "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "entityType", "U+202E" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Every_string_query_parameter_and_route_value_refuses_the_character_naming_the_parameter(string pathAndQuery, string field, string codePoint)
    {
        using var response = await api.SendAsync(HttpMethod.Get, pathAndQuery, token: ApiFixture.AllScopes);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Null(Check(response, text, field, codePoint));
    }

    [Fact]
    public async Task Free_text_keeps_its_line_breaks_and_tabs()
    {
        var (product, _) = await api.CreateProductAsync(4m);
        using var response = await api.SendAsync(
            HttpMethod.Post, $"/products/{product.Id()}/comments", """{"content":"First line\r\n\tSecond line\nThird"}""", ApiFixture.AllScopes);
        var comment = await response.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal("First line\r\n\tSecond line\nThird", comment.GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_name_beyond_ASCII_with_a_surrogate_pair_is_accepted()
    {
        var (user, _) = await api.CreateAsync(UserRequests.Body(name: "Åsa عمر 李 \ud83d\ude42"));
        Assert.Equal("Åsa عمر 李 \ud83d\ude42", user.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("pipe@example.c|m")]
    [InlineData("pipe@example.co|")]
    public async Task An_email_with_a_pipe_in_its_domain_is_refused_and_writes_nothing(string email)
    {
        var before = await api.SnapshotAsync();
        using var created = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(email: email), ApiFixture.AllScopes);
        Assert.Equal(["is not a valid email address."], await created.AssertFieldErrorAsync("email"));
        await api.AssertUnchangedAsync(before);

        using var listed = await api.SendAsync(HttpMethod.Get, "/users?email=" + Uri.EscapeDataString(email), token: ApiFixture.AllScopes);
        Assert.Equal(["is not a valid email address."], await listed.AssertFieldErrorAsync("email"));
    }

    [Fact]
    public async Task An_email_changed_to_one_with_a_pipe_is_refused_and_writes_nothing()
    {
        var (user, etag) = await api.CreateAsync();
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Patch, "/users/" + user.IdOf(), Json.Of(new { email = "pipe@example.c|m" }), ApiFixture.AllScopes, etag);
        Assert.Equal(["is not a valid email address."], await response.AssertFieldErrorAsync("email"));
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task An_unknown_path_with_a_bidirectional_override_is_not_repeated_in_the_problem()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/nowhere%E2%80%AEZebulon", token: ApiFixture.AllScopes);
        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(Around, problem.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Null when the response is a 400 problem naming <paramref name="field"/> and the code point, and not the value.</summary>
    private static string? Check(HttpResponseMessage response, string text, string field, string codePoint)
    {
        if (response.StatusCode != HttpStatusCode.BadRequest || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{(int)response.StatusCode}: {text}";
        }

        var problem = JsonDocument.Parse(text).RootElement;
        if (!problem.TryGetProperty("errors", out var errors) || !errors.TryGetProperty(field, out var messages))
        {
            return "does not name the field: " + text;
        }

        if (!messages.EnumerateArray().Any(m => m.GetString()!.Contains(codePoint, StringComparison.Ordinal)))
        {
            return $"does not name {codePoint}: {text}";
        }

        return text.Contains(Around, StringComparison.OrdinalIgnoreCase) ? "repeats the value: " + text : null;
    }

    private static Dictionary<string, object?> NewUser(string? email = null, string name = "Ann Example", string password = "correct horse battery", object? extra = null) =>
        JsonSerializer.Deserialize<Dictionary<string, object?>>(UserRequests.Body(email ?? Json.UniqueEmail(), name, password, extra))!;

    private static object Address(string street = "1 Road", string city = "Town", string country = "NL") =>
        new { type = "home", street, city, country, isDefault = true };
}
