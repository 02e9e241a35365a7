using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Serverless.Api.Infrastructure.Json;
using Serverless.Api.Infrastructure.Problems;
using Serverless.Domain.Users;
using Xunit;

namespace Serverless.Api.Tests.Problems;

/// <summary>A member of every JSON type the API accepts, filled the way request members are (required, init).</summary>
public sealed record EveryKind
{
    public required string Text { get; init; }

    public required decimal Amount { get; init; }

    public required int Count { get; init; }

    public required bool Flag { get; init; }

    public required Guid Id { get; init; }

    public required DateTimeOffset At { get; init; }

    public required UserStatus Status { get; init; }

    public required List<Part> Parts { get; init; }

    public required Part Part { get; init; }

    public required Dictionary<string, string> Tags { get; init; }
}

public sealed record Part
{
    public required string Label { get; init; }
}

[JsonSerializable(typeof(EveryKind))]
internal sealed partial class EveryKindContext : JsonSerializerContext;

public sealed class JsonErrorsTests
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ApiJson.Configure(options);
        options.TypeInfoResolverChain.Add(EveryKindContext.Default.WithAddedModifier(NonNullableMembers.Guard));
        return options;
    }

    private static JsonObject Valid() => new()
    {
        ["text"] = "t",
        ["amount"] = 1.5m,
        ["count"] = 2,
        ["flag"] = true,
        ["id"] = "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        ["at"] = "2024-05-01T12:00:00Z",
        ["status"] = "active",
        ["parts"] = new JsonArray(new JsonObject { ["label"] = "p" }),
        ["part"] = new JsonObject { ["label"] = "p" },
        ["tags"] = new JsonObject { ["a"] = "b" },
    };

    public static TheoryData<string, string, string, string> WrongValues { get; } = new()
    {
        // member, wrong value (JSON), field named, message
        { "text", "123", "text", "must be a string." },
        { "text", "{}", "text", "must be a string." },
        { "amount", "\"12\"", "amount", "must be a number." },
        { "count", "1.5", "count", "must be a whole number from -2147483648 to 2147483647." },
        { "count", "99999999999", "count", "must be a whole number from -2147483648 to 2147483647." },
        { "flag", "\"yes\"", "flag", "must be true or false." },
        { "id", "\"nope\"", "id", "must be a UUID (such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301)." },
        { "at", "\"yesterday\"", "at", "must be an ISO 8601 date-time (such as 2024-05-01T12:00:00Z)." },
        { "status", "1", "status", "must be one of: active, inactive, suspended, deleted." },
        { "parts", "{}", "parts", "must be an array of objects." },
        { "parts", "[{\"label\": 5}]", "parts[0].label", "must be a string." },
        { "part", "\"x\"", "part", "must be an object." },
        { "tags", "[1]", "tags", "must be an object of string values." },
        { "tags", "{\"a\": 1}", "tags.a", "must be a string." },
        { "text", "null", "text", "must not be null; send a string." },
        { "parts", "null", "parts", "must not be null; send an array of objects." },
        { "tags", "null", "tags", "must not be null; send an object of string values." },
    };

    [Theory]
    [MemberData(nameof(WrongValues))]
    public async Task A_wrong_value_is_described_by_what_its_member_takes_never_by_a_dotnet_type(string member, string wrong, string field, string message)
    {
        var body = Valid();
        body[member] = JsonNode.Parse(wrong);

        var errors = await DescribeAsync(body.ToJsonString());

        Assert.Equal([(field, message)], errors);
    }

    [Fact]
    public async Task A_body_that_is_not_an_object_must_be_an_object()
    {
        Assert.Equal([("$", "must be an object.")], await DescribeAsync("5"));
    }

    [Fact]
    public async Task A_missing_member_is_required()
    {
        var body = Valid();
        body.Remove("text");

        Assert.Equal([("text", "is required.")], await DescribeAsync(body.ToJsonString()));
    }

    /// <summary>Read as minimal APIs read a request body: asynchronously, from a stream.</summary>
    private static async Task<IReadOnlyList<(string Field, string Message)>> DescribeAsync(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var exception = await Assert.ThrowsAnyAsync<JsonException>(
            async () => await JsonSerializer.DeserializeAsync(stream, Options.GetTypeInfo(typeof(EveryKind)), TestContext.Current.CancellationToken));
        var errors = JsonErrors.Describe(exception, Options.GetTypeInfo(typeof(EveryKind)));
        Assert.All(errors, e => Assert.DoesNotMatch(@"System\.|Serverless\.|Microsoft\.", e.Message));
        return errors;
    }
}
