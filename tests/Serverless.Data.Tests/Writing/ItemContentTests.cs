using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Table;
using Serverless.Data.Writing;

namespace Serverless.Data.Tests.Writing;

public sealed class ItemContentTests
{
    [Fact]
    public void Items_that_differ_only_in_their_write_stamps_hold_the_same_content()
    {
        var before = Item();
        var after = Item();
        after[Attr.Version] = Av.N(8);
        after[Attr.UpdatedAt] = Av.N(1_800_000_000_000);
        after[Attr.LastWriter] = Av.S("user:other");

        Assert.True(ItemContent.Same(before, after));
    }

    [Fact]
    public void Numbers_compare_by_value_maps_by_key_and_sets_in_any_order()
    {
        var before = Item();
        var after = Item();
        after["balance"] = Av.N(12.50m);
        after["metadata"] = Av.Map(new() { ["b"] = Av.S("2"), ["a"] = Av.S("1") });
        after["tags"] = new AttributeValue { SS = ["y", "x"] };

        Assert.True(ItemContent.Same(before, after));
    }

    [Theory]
    [InlineData("balance")]
    [InlineData("metadata")]
    [InlineData("addresses")]
    [InlineData("name")]
    [InlineData("flag")]
    public void A_changed_missing_or_reordered_list_attribute_is_a_change(string name)
    {
        var after = Item();
        after[name] = name switch
        {
            "balance" => Av.N(12.51m),
            "metadata" => Av.Map(new() { ["a"] = Av.S("1") }),
            "addresses" => Av.List([Av.S("second"), Av.S("first")]),
            "flag" => Av.Bool(false),
            _ => Av.S("Ada King"),
        };
        Assert.False(ItemContent.Same(Item(), after));

        var missing = Item();
        missing.Remove(name);
        Assert.False(ItemContent.Same(Item(), missing));
    }

    private static Dictionary<string, AttributeValue> Item() => new()
    {
        [Attr.PK] = Av.S("PRODUCT#1"),
        [Attr.Version] = Av.N(7),
        [Attr.UpdatedAt] = Av.N(1_700_000_000_000),
        [Attr.LastWriter] = Av.S("user:alice"),
        ["name"] = Av.S("Ada Lovelace"),
        ["balance"] = Av.N(12.5m),
        ["metadata"] = Av.Map(new() { ["a"] = Av.S("1"), ["b"] = Av.S("2") }),
        ["addresses"] = Av.List([Av.S("first"), Av.S("second")]),
        ["tags"] = new AttributeValue { SS = ["x", "y"] },
        ["flag"] = Av.Bool(true),
    };
}
