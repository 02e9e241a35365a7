using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests.Problems;

/// <summary>
/// No problem names a .NET type, whatever is malformed: the body as bytes (not UTF-8, not JSON, nested too deep, a
/// number too large), a member of the wrong kind, an enum name that does not exist, a route or query value that does
/// not parse. Every POST, PATCH and PUT route, and a list route with each of its parameters, is tried.
/// </summary>
public sealed partial class NoDotNetNamesTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    /// <summary>Bodies wrong as a whole, as bytes.</summary>
    private static readonly byte[][] WrongBodies =
    [
        [],
        " "u8.ToArray(),
        "{"u8.ToArray(),
        "}"u8.ToArray(),
        "{\"a\":"u8.ToArray(),
        "nul"u8.ToArray(),
        "{}x"u8.ToArray(),
        "{} {}"u8.ToArray(),
        "{'a':1}"u8.ToArray(),
        "{a:1}"u8.ToArray(),
        "/* c */ {}"u8.ToArray(),
        "{\"name\":NaN}"u8.ToArray(),
        "\"\\u0000\""u8.ToArray(),
        "{\"\\ud800\":1}"u8.ToArray(),
        "{\"name\":\"a\u0001b\"}"u8.ToArray(),
        [0xFF, 0xFE, 0x7B, 0x7D],
        [0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xC0, 0x80, 0x22, 0x7D],
        [0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D],
        Encoding.UTF8.GetBytes(new string('[', 200) + new string(']', 200)),
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100)),
    ];

    /// <summary>Values put in place of each member of a valid body, in turn.</summary>
    private static readonly string[] WrongValues =
    [
        "1e400", "-1e400", "99999999999999999999999999999", "-0", "1E+2", "0.000000000000000000000000000001",
        "\"2024-13-45T99:00:00Z\"", "\"3f2504e0-4f89-41d3-9a0c\"", "\"\\u0000\"", "\"\\u202E\"", "\"ACTIVE\"", "\"Active\"",
        "[[]]", "{\"a\":{}}", "[null]", "{\"\":1}", "false",
    ];

    [Fact]
    public async Task No_malformed_body_on_any_write_route_gets_a_problem_naming_a_dotnet_type()
    {
        var (user, userETag) = await api.CreateAsync();
        var (product, productETag) = await api.CreateProductAsync(2m);
        var orderBody = new JsonObject { ["userId"] = user.IdOf(), ["items"] = new JsonArray(new JsonObject { ["productId"] = product.Id(), ["quantity"] = 1 }) };
        using var created = await api.SendAsync(HttpMethod.Post, "/orders", orderBody.ToJsonString(), ApiFixture.AllScopes);
        var order = await created.ReadJsonAsync(HttpStatusCode.Created);
        var (role, _) = await api.PostAsync("/roles", new { name = "R" + Guid.NewGuid().ToString("N") });

        var routes = new (HttpMethod Method, string Path, JsonObject Valid, string? IfMatch)[]
        {
            (HttpMethod.Post, "/users", JsonNode.Parse(UserRequests.Body(extra: new
            {
                status = "active",
                metadata = new { source = "t" },
                profile = new { avatar = "a", bio = "b", preferences = new { theme = "dark" } },
                addresses = new[] { new { type = "home", street = "1 Road", city = "Town", country = "NL", isDefault = true } },
                balance = 1.5m,
                phone = "+14155550123",
            }))!.AsObject(), null),
            (HttpMethod.Patch, "/users/" + user.IdOf(), new JsonObject { ["name"] = "N", ["status"] = "inactive", ["balance"] = 2m, ["phone"] = null }, userETag),
            (HttpMethod.Post, "/products", new JsonObject { ["name"] = "P", ["description"] = "d", ["price"] = 1.25m }, null),
            (HttpMethod.Patch, "/products/" + product.Id(), new JsonObject { ["name"] = "P", ["price"] = 1.25m }, productETag),
            (HttpMethod.Post, "/orders", orderBody, null),
            (HttpMethod.Patch, "/orders/" + order.Id(), new JsonObject { ["status"] = "processing" }, created.Headers.ETag!.ToString()),
            (HttpMethod.Post, "/roles", new JsonObject { ["name"] = "R", ["description"] = "d" }, null),
            (HttpMethod.Post, $"/products/{product.Id()}/comments", new JsonObject { ["content"] = "c" }, null),
            (HttpMethod.Post, $"/users/{user.IdOf()}/comments", new JsonObject { ["content"] = "c" }, null),
            (HttpMethod.Post, $"/posts/{Guid.NewGuid()}/comments", new JsonObject { ["content"] = "c" }, null),
            (HttpMethod.Put, $"/users/{user.IdOf()}/roles/{role.Id()}", new JsonObject(), null),
        };

        var failures = new List<string>();
        foreach (var (method, path, valid, ifMatch) in routes)
        {
            var bodies = WrongBodies.Concat(Members(valid).SelectMany(m => WrongValues.Select(v => Encoding.UTF8.GetBytes(Replace(valid, m, v)))));
            foreach (var body in bodies)
            {
                var failure = await CheckAsync(method, path, body, ifMatch);
                if (failure is not null)
                {
                    failures.Add($"{method} {path} {Encoding.UTF8.GetString(body)}: {failure}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task No_malformed_route_or_query_value_gets_a_problem_naming_a_dotnet_type()
    {
        var (user, _) = await api.CreateAsync();
        string[] wrong = ["x", "-1", "1.5", "1e3", "99999999999999999999", "%00", "%E2%80%AE", "true", "null", "[]", "3f2504e0-4f89-41d3-9a0c", ""];
        var templates = new[]
        {
            "/users/{v}", "/users/{v}/orders", "/users/{v}/roles", "/orders/{v}", "/products/{v}", "/products/{v}/orders", "/roles/{v}",
            "/roles/{v}/users", "/products/{v}/comments", "/users/{v}/comments", "/posts/{v}/comments", "/audit/User/{v}", "/audit/{v}/" + user.IdOf(),
            "/users?limit={v}&status=active", "/users?createdWithinDays={v}", "/users?status={v}", "/users?email={v}", "/users?city=Town&cursor={v}",
            "/users/search?q={v}", "/users/search?q=ann&limit={v}", "/orders?userId={v}", "/products?limit={v}", "/roles?cursor={v}",
            "/users/" + user.IdOf() + "/orders?limit={v}",
        };

        var failures = new List<string>();
        foreach (var template in templates)
        {
            foreach (var value in wrong)
            {
                if (value == "%00" && !template.Contains('?', StringComparison.Ordinal))
                {
                    // Kestrel refuses a NUL in the path itself, with a bare 400 before the app runs; in a query it reaches the app.
                    continue;
                }

                var path = template.Replace("{v}", value, StringComparison.Ordinal);
                foreach (var method in template.Contains('?', StringComparison.Ordinal) ? [HttpMethod.Get] : new[] { HttpMethod.Get, HttpMethod.Delete })
                {
                    if (await CheckAsync(method, path, null, "\"1\"") is { } failure)
                    {
                        failures.Add($"{method} {path}: {failure}");
                    }
                }
            }
        }

        foreach (var path in new[] { "/users/x/roles/y", $"/users/{user.IdOf()}/roles/y", "/users/x/restore" })
        {
            foreach (var method in new[] { HttpMethod.Put, HttpMethod.Delete, HttpMethod.Post })
            {
                if (await CheckAsync(method, path, null, "\"1\"") is { } failure)
                {
                    failures.Add($"{method} {path}: {failure}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private async Task<string?> CheckAsync(HttpMethod method, string path, byte[]? body, string? ifMatch)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiFixture.AllScopes);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        using var response = await api.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (ErrorMessagesTests.CheckProblem((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text) is { } failure)
        {
            return $"{(int)response.StatusCode}: {failure}";
        }

        return (int)response.StatusCode >= 400 && DotNetName().Match(text) is { Success: true } name
            ? $"{(int)response.StatusCode}: names '{name.Value}': {text}"
            : null;
    }

    /// <summary>A namespace, a CLR type's own name, a generic arity or one of the API's contract types.</summary>
    [GeneratedRegex(
        @"\b(?:System|Serverless|Microsoft|Amazon)\.|`\d|\b(?:Int16|Int32|Int64|UInt\d+|Decimal|Double|Single|Boolean|String|Guid|DateTimeOffset|DateTime|Nullable|Dictionary|List|IEnumerable|JsonElement|Object)\b|\w+(?:Request|Response|Dto|Selector|Parameters)\b",
        RegexOptions.CultureInvariant)]
    private static partial Regex DotNetName();

    /// <summary>Every member of <paramref name="node"/> and of what it holds, as a list of steps (names and indexes).</summary>
    private static IEnumerable<object[]> Members(JsonNode node, object[]? prefix = null)
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
                foreach (var deeper in Members(child, path))
                {
                    yield return deeper;
                }
            }
        }
    }

    /// <summary>The JSON text of <paramref name="valid"/> with the member at <paramref name="path"/> replaced by raw JSON text.</summary>
    private static string Replace(JsonObject valid, object[] path, string value)
    {
        const string Placeholder = "\"__replaced__\"";
        var copy = valid.DeepClone();
        var parent = copy;
        foreach (var step in path[..^1])
        {
            parent = step is int i ? parent![i]! : parent![(string)step]!;
        }

        if (path[^1] is int index)
        {
            parent!.AsArray()[index] = "__replaced__";
        }
        else
        {
            parent!.AsObject()[(string)path[^1]] = "__replaced__";
        }

        // Put in as text, so values a JSON node cannot hold (1e400, an escaped lone surrogate) arrive as sent.
        return copy.ToJsonString().Replace(Placeholder, value, StringComparison.Ordinal);
    }
}
