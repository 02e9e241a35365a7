using Amazon.DynamoDBv2.Model;
using Serverless.Data.Caching;

namespace Serverless.Data.Tests.Caching;

public sealed class ItemCodecTests
{
    [Fact]
    public void Every_attribute_type_comes_back_as_it_went_in()
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["s"] = new() { S = "héllo | wörld" },
            ["empty"] = new() { S = "" },
            ["n"] = new() { N = "-12.50" },
            ["b"] = new() { B = new MemoryStream([0, 1, 2, 255]) },
            ["yes"] = new() { BOOL = true },
            ["no"] = new() { BOOL = false },
            ["null"] = new() { NULL = true },
            ["m"] = new() { M = new() { ["inner"] = new() { L = [new() { S = "a" }, new() { N = "1" }] } } },
            ["emptyMap"] = new() { M = [] },
            ["emptyList"] = new() { L = [] },
            ["ss"] = new() { SS = ["x", "y"] },
            ["ns"] = new() { NS = ["1", "2.5"] },
            ["bs"] = new() { BS = [new MemoryStream([9]), new MemoryStream([8, 7])] },
        };

        var back = ItemCodec.Decode(ItemCodec.Encode(item));

        Assert.Equal(Describe(item), Describe(back));
    }

    [Fact]
    public void A_binary_value_is_encoded_whole_without_moving_its_stream()
    {
        var stream = new MemoryStream([1, 2, 3, 4]);
        stream.Position = 3;
        var item = new Dictionary<string, AttributeValue> { ["b"] = new() { B = stream } };

        var back = ItemCodec.Decode(ItemCodec.Encode(item));

        Assert.Equal([1, 2, 3, 4], back["b"].B.ToArray());
        Assert.Equal(3, stream.Position);
    }

    [Fact]
    public void Bytes_cut_short_or_of_another_format_are_refused()
    {
        var bytes = ItemCodec.Encode(new Dictionary<string, AttributeValue> { ["s"] = new() { S = "value" } });

        Assert.Throws<FormatException>(() => ItemCodec.Decode(bytes.AsSpan(0, bytes.Length - 2)));
        Assert.Throws<FormatException>(() => ItemCodec.Decode([99, .. bytes[1..]]));
        Assert.Throws<FormatException>(() => ItemCodec.Decode([.. bytes, 0]));
    }

    private static string Describe(Dictionary<string, AttributeValue> item) =>
        string.Join(";", item.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + Describe(p.Value)));

    private static string Describe(AttributeValue v) =>
        v.S is not null ? "S:" + v.S
        : v.N is not null ? "N:" + v.N
        : v.B is not null ? "B:" + Convert.ToHexString(v.B.ToArray())
        : v.BOOL is { } b ? "BOOL:" + b
        : v.NULL == true ? "NULL"
        : v.M is not null ? "M{" + Describe(v.M) + "}"
        : v.L is not null ? "L[" + string.Join(",", v.L.Select(Describe)) + "]"
        : v.SS is not null ? "SS:" + string.Join(",", v.SS)
        : v.NS is not null ? "NS:" + string.Join(",", v.NS)
        : v.BS is not null ? "BS:" + string.Join(",", v.BS.Select(s => Convert.ToHexString(s.ToArray())))
        : "?";
}
