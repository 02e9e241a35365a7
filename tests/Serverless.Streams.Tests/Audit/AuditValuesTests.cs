using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Streams.Audit;
using Serverless.Streams.Tests.Support;

namespace Serverless.Streams.Tests.Audit;

public sealed class AuditValuesTests
{
    [Fact]
    public void The_password_hash_and_the_key_attributes_are_never_copied()
    {
        var item = UserMapper.ToItem(TestData.NewUser(), createdDateShards: 1);

        using var json = JsonDocument.Parse(AuditValues.ToJson(item)!);

        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.DoesNotContain(Attr.PasswordHash, names);
        Assert.DoesNotContain("pbkdf2$secret-hash-value", json.RootElement.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(Attr.PK, names);
        Assert.DoesNotContain(Attr.Gsi1PK, names);
        Assert.DoesNotContain(Attr.EmailKey, names);
        Assert.Contains(Attr.Email, names);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public void Every_attribute_type_becomes_plain_json_and_numbers_keep_all_their_digits()
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["s"] = new() { S = "text" },
            ["n"] = new() { N = "12345678901234567890123456789012345678" },
            ["b"] = new() { B = new MemoryStream([1, 2, 3]) },
            ["ss"] = new() { SS = ["a", "b"] },
            ["ns"] = new() { NS = ["1", "2.5"] },
            ["bs"] = new() { BS = [new MemoryStream([4])] },
            ["m"] = new() { M = new() { ["z"] = new() { BOOL = true }, ["a"] = new() { NULL = true } } },
            ["l"] = new() { L = [new() { S = "x" }, new() { N = "-0.5" }], IsLSet = true },
        };

        var json = AuditValues.ToJson(item);

        Assert.Equal(
            """{"b":"AQID","bs":["BA=="],"l":["x",-0.5],"m":{"a":null,"z":true},"n":12345678901234567890123456789012345678,"ns":[1,2.5],"s":"text","ss":["a","b"]}""",
            json);
    }

    [Fact]
    public void Only_the_attributes_that_differ_are_named_as_changed()
    {
        var before = UserMapper.ToItem(TestData.NewUser(), createdDateShards: 1);
        var after = new Dictionary<string, AttributeValue>(before) { [Attr.Name] = new() { S = "Ada King" }, [Attr.PasswordHash] = new() { S = "new" } };
        after.Remove(Attr.Phone);

        Assert.Equal([Attr.Name, Attr.Phone], AuditValues.ChangedNames(before, after));
    }
}
