using System.Text;
using System.Text.Json.Nodes;
using Serverless.Lambda.Events;

namespace Serverless.Lambda.Tests.AwsSuite;

/// <summary>
/// No event ends an invocation with an exception: every HTTP sample (AWS's and ours), mutated field by field
/// (removed, or given every other JSON type or an odd string) and as a whole (truncated, not an object, broken UTF-8,
/// a body that is not the base64 it claims), gets a response document with an HTTP status.
/// </summary>
public sealed class AdapterFuzzTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly JsonNode?[] Replacements =
    [
        null, JsonValue.Create(12345), JsonValue.Create(-1.5), JsonValue.Create(true), new JsonArray(), new JsonObject(),
        JsonValue.Create(""), JsonValue.Create("%ZZ%"), JsonValue.Create("a\u0000b\r\nc\u202e"), JsonValue.Create("/" + new string('x', 20_000)),
        new JsonArray(JsonValue.Create(1), JsonValue.Create("two")), new JsonObject { ["k"] = new JsonArray() },
    ];

    public static TheoryData<string> HttpSamples()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Samples");
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(folder, file);
            var root = JsonNode.Parse(Utf8Bom.Skip(File.ReadAllBytes(file).AsSpan()));
            // HTTP requests only: the stream samples are another function's events.
            if (root is JsonObject request && (request.ContainsKey("httpMethod") || request["requestContext"]?["http"] is not null))
            {
                data.Add(relative);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HttpSamples))]
    public async Task Every_mutation_of_the_sample_gets_a_response_and_no_exception(string sample)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);
        var original = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Samples", sample));
        var count = 0;

        foreach (var mutation in Mutations(original))
        {
            count++;
            JsonObject response;
            try
            {
                response = await app.InvokeAsync(mutation.Payload, Token);
            }
            catch (Exception exception)
            {
                Assert.Fail($"{sample}, {mutation.Description}: {exception.GetType().Name} escaped the invocation: {exception}");
                throw;
            }

            var status = response["statusCode"]?.GetValue<int>();
            Assert.True(status is >= 100 and <= 599, $"{sample}, {mutation.Description}: no HTTP status in {response.ToJsonString()[..Math.Min(200, response.ToJsonString().Length)]}");
        }

        Assert.True(count > 20, $"{sample} gave only {count} mutations");
    }

    [Fact]
    public async Task An_event_that_is_not_a_request_gets_a_400_problem_that_says_so_and_quotes_nothing_from_it()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);
        var request = JsonNode.Parse(Utf8Bom.Skip(AwsSuiteApp.Sample("values-get-all-apigateway-request.json").AsSpan()))!.AsObject();
        request["httpMethod"] = new JsonObject { ["secret"] = "do-not-echo-me" };

        var response = await app.InvokeAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), Token);

        Assert.Equal(400, response.Status());
        Assert.Equal(["application/problem+json"], response.Header("Content-Type"));
        var detail = response.BodyJson()["detail"]!.GetValue<string>();
        Assert.Contains("$.httpMethod", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-echo-me", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", detail, StringComparison.Ordinal);
        var logs = Encoding.UTF8.GetString(app.Logs.ToArray());
        Assert.Contains("is not an HTTP request this function can serve", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-echo-me", logs, StringComparison.Ordinal);
    }

    private sealed record Mutation(string Description, byte[] Payload);

    private static IEnumerable<Mutation> Mutations(byte[] original)
    {
        var text = Encoding.UTF8.GetString(Utf8Bom.Skip(original.AsSpan()));
        yield return new("as it is", original);
        yield return new("empty", []);
        yield return new("null", "null"u8.ToArray());
        yield return new("an array", "[]"u8.ToArray());
        yield return new("a number", "42"u8.ToArray());
        yield return new("only a BOM", [0xEF, 0xBB, 0xBF]);
        yield return new("truncated", Encoding.UTF8.GetBytes(text[..(text.Length / 2)]));
        yield return new("broken UTF-8 in a string", Encoding.UTF8.GetBytes(text).Select(b => b).Concat(Array.Empty<byte>()).ToArray() is var bytes
            ? InsertInvalidUtf8(bytes) : []);

        var root = JsonNode.Parse(text)!.AsObject();
        if (root.ContainsKey("body") || root.ContainsKey("isBase64Encoded"))
        {
            var notBase64 = root.DeepClone().AsObject();
            notBase64["isBase64Encoded"] = true;
            notBase64["body"] = "this is not base64 !!";
            yield return new("a body marked base64 that is not", Encoding.UTF8.GetBytes(notBase64.ToJsonString()));
        }

        foreach (var path in Paths(root, "$", depth: 0))
        {
            var removed = root.DeepClone().AsObject();
            Remove(removed, path);
            yield return new($"without {string.Join('.', path)}", Encoding.UTF8.GetBytes(removed.ToJsonString()));

            for (var i = 0; i < Replacements.Length; i++)
            {
                var replaced = root.DeepClone().AsObject();
                Set(replaced, path, Replacements[i]?.DeepClone());
                yield return new($"{string.Join('.', path)} = replacement {i}", Encoding.UTF8.GetBytes(replaced.ToJsonString()));
            }
        }
    }

    /// <summary>Every property path down to three levels (objects only; arrays are replaced whole).</summary>
    private static IEnumerable<string[]> Paths(JsonObject node, string prefix, int depth)
    {
        foreach (var (name, value) in node.ToList())
        {
            string[] path = [name];
            yield return path;
            if (depth < 2 && value is JsonObject child)
            {
                foreach (var inner in Paths(child, prefix + "." + name, depth + 1))
                {
                    yield return [name, .. inner];
                }
            }
        }
    }

    private static void Remove(JsonObject root, string[] path) => Parent(root, path)?.Remove(path[^1]);

    private static void Set(JsonObject root, string[] path, JsonNode? value)
    {
        if (Parent(root, path) is { } parent)
        {
            parent[path[^1]] = value;
        }
    }

    private static JsonObject? Parent(JsonObject root, string[] path)
    {
        JsonObject? node = root;
        foreach (var name in path[..^1])
        {
            node = node?[name] as JsonObject;
        }

        return node;
    }

    private static byte[] InsertInvalidUtf8(byte[] json)
    {
        // Inside the first string value after the first colon: a lone continuation byte and an overlong sequence.
        var colon = Array.IndexOf(json, (byte)':');
        var quote = colon < 0 ? -1 : Array.IndexOf(json, (byte)'"', colon);
        if (quote < 0)
        {
            return json;
        }

        return [.. json[..(quote + 1)], 0x80, 0xC0, 0xAF, .. json[(quote + 1)..]];
    }
}
