using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Xunit;

namespace Serverless.Api.Tests.Fuzzing;

/// <summary>
/// Generators of request bodies, path segments and query values: each field valid, missing, or one of the shapes a
/// careless or hostile client sends.
/// </summary>
public static class FuzzBodies
{
    /// <summary>Text no field accepts or that strains the parser: control characters, an unpaired surrogate, markup, a NUL, very long.</summary>
    private static readonly string[] Nasty =
    [
        "", " ", "\t", "\u0000", "a\u0001b", "\ud800", "x\udc00y", "<script>alert(1)</script>", "' OR 1=1 --", "${jndi:x}",
        "../../etc/passwd", "%00", "\u202e", "🙂🙂", new('a', 300), new('b', 5_000),
    ];

    /// <summary>Any JSON value: nested a little, of every type.</summary>
    public static readonly Gen<JsonNode?> Junk = Gen.Frequency(
        (3, Gen.String.Select(s => (JsonNode?)JsonValue.Create(s))),
        (3, Gen.OneOf(Nasty).Select(s => (JsonNode?)JsonValue.Create(s))),
        (1, Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i))),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValue.Create(d) : JsonValue.Create(-1))),
        (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        (1, Gen.Const((JsonNode?)null)),
        (1, Gen.String.Array[0, 3].Select(a => (JsonNode?)new JsonArray([.. a.Select(x => (JsonNode?)JsonValue.Create(x))]))),
        (1, Gen.String.Select(s => (JsonNode?)new JsonObject { [s.Length == 0 ? "k" : s] = 1 })));

    private static readonly Gen<string> Letters = Gen.Char['a', 'z'].Array[2, 12].Select(a => new string(a));

    private static readonly Gen<string> ValidName = Gen.Select(Letters, Letters, (a, b) => char.ToUpperInvariant(a[0]) + a[1..] + " " + char.ToUpperInvariant(b[0]) + b[1..]);

    private static readonly Gen<string> ValidPhone = Gen.Long[1_000_000_000L, 9_999_999_999L].Select(n => "+1" + n.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static readonly Gen<string> ValidStatus = Gen.OneOf("active", "inactive", "suspended");

    /// <summary>A field: left out (null), valid, or junk.</summary>
    public static Gen<Field> FieldOf(Gen<JsonNode?> valid, int validWeight = 6) => Gen.Frequency(
        (1, Gen.Const(Field.Missing)),
        (validWeight, valid.Select(v => new Field(true, v))),
        (2, Junk.Select(v => new Field(true, v))));

    private static Gen<JsonNode?> Text(Gen<string> gen) => gen.Select(s => (JsonNode?)JsonValue.Create(s));

    // Emails are unique per draw, so a valid create never collides with an earlier one.
    private static readonly Gen<JsonNode?> ValidEmail = Gen.Int.Select(_ => (JsonNode?)JsonValue.Create($"fuzz.{Guid.NewGuid():N}@example.com"));

    private static readonly Gen<JsonNode?> ValidPassword = Letters.Select(s => (JsonNode?)JsonValue.Create("passphrase " + s + " long enough"));

    private static readonly Gen<JsonNode?> ValidBalance = Gen.Int[0, 1_000_000].Select(c => (JsonNode?)JsonValue.Create(c / 100m));

    private static readonly Gen<JsonNode?> ValidAddresses = Gen.Select(Letters, Letters, (street, city) => (JsonNode?)new JsonArray(new JsonObject
    {
        ["type"] = "home", ["street"] = "1 " + street + " St", ["city"] = city, ["country"] = "US", ["isDefault"] = true,
    }));

    /// <summary>A create body.</summary>
    public static readonly Gen<JsonObject> User = Gen.Select(
        FieldOf(ValidEmail, 8),
        FieldOf(Text(ValidName), 8),
        FieldOf(ValidPassword, 8),
        FieldOf(Text(ValidStatus)),
        FieldOf(Text(ValidPhone)),
        FieldOf(ValidBalance),
        FieldOf(ValidAddresses),
        Gen.Frequency((6, Gen.Const(Field.Missing)), (1, Junk.Select(v => new Field(true, v)))),
        (email, name, password, status, phone, balance, addresses, unknown) => Body(
            ("email", email), ("name", name), ("password", password), ("status", status), ("phone", phone), ("balance", balance),
            ("addresses", addresses), ("unknownMember", unknown)));

    /// <summary>A PATCH body: any subset of the fields, each valid or junk.</summary>
    public static readonly Gen<JsonObject> UserPatch = Gen.Select(
        FieldOf(Text(ValidName)),
        FieldOf(Text(ValidStatus)),
        FieldOf(Text(ValidPhone)),
        FieldOf(ValidBalance),
        FieldOf(ValidAddresses),
        (name, status, phone, balance, addresses) => Body(("name", name), ("status", status), ("phone", phone), ("balance", balance), ("addresses", addresses)));

    /// <summary>
    /// A path segment: the real id, an id that exists nowhere, or junk (escaped, as a client would send it). No NUL:
    /// Kestrel refuses a request line holding one with its own bodiless 400 before the app sees it.
    /// </summary>
    public static Gen<string> PathSegment(string realId) => Gen.Frequency(
        (2, Gen.Const(realId)),
        (2, Gen.Int.Select(_ => Guid.NewGuid().ToString())),
        (1, Gen.Const(realId.ToUpperInvariant())),
        (3, Gen.String.Select(s => Uri.EscapeDataString(s.Replace("\0", "", StringComparison.Ordinal)))),
        (2, Gen.OneOf(Nasty).Select(s => Uri.EscapeDataString(s.Replace("\0", "", StringComparison.Ordinal)))));

    /// <summary>A query value: small and large numbers, junk, escaped.</summary>
    public static readonly Gen<string> QueryValue = Gen.Frequency(
        (2, Gen.Int[-5, 200].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Const("")),
        (3, Gen.String.Select(Uri.EscapeDataString)),
        (2, Gen.OneOf(Nasty).Select(Uri.EscapeDataString)),
        (1, Gen.OneOf("active", "deleted", "ACTIVE", "99999999999999999999")));

    public static JsonObject ValidUser() => new()
    {
        ["email"] = $"fuzz.{Guid.NewGuid():N}@example.com",
        ["name"] = "Fuzz Target",
        ["password"] = "passphrase long enough to keep",
    };

    /// <summary>A refusal: a 4xx problem, never a 5xx.</summary>
    public static async Task AssertRefusedAsync(HttpResponseMessage response, JsonObject body)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status is >= 400 and < 500, $"{body.ToJsonString()} answered {status}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, JsonDocument.Parse(text).RootElement.GetProperty("status").GetInt32());
        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>The given string fields of a body that was accepted are what the user now reads back.</summary>
    public static void AssertEchoes(JsonObject body, JsonElement read, params string[] fields)
    {
        // What was sent: the client's writer replaces text JSON cannot carry (an unpaired surrogate) as it serializes.
        body = JsonNode.Parse(body.ToJsonString())!.AsObject();
        foreach (var field in fields)
        {
            if (body[field] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                Assert.Equal(value.GetValue<string>(), read.GetProperty(field).GetString());
            }
        }
    }

    public static JsonObject Body(params (string Name, Field Field)[] fields)
    {
        var body = new JsonObject();
        foreach (var (name, field) in fields)
        {
            if (field.Present)
            {
                body[name] = field.Value?.DeepClone();
            }
        }

        return body;
    }

    public sealed record Field(bool Present, JsonNode? Value)
    {
        public static readonly Field Missing = new(false, null);
    }
}
