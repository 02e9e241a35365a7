using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Domain;

namespace Serverless.Data.Tests.Items;

public sealed class ItemSizeTests
{
    [Fact]
    public void Size_counts_attribute_names_and_utf8_values()
    {
        var item = new Dictionary<string, AttributeValue> { ["name"] = Av.S("é"), ["n"] = Av.N(12345), ["b"] = Av.Bool(true) };
        // "name"(4) + "é"(2) + "n"(1) + 5 digits(3+1) + "b"(1) + bool(1)
        Assert.Equal(4 + 2 + 1 + 4 + 1 + 1, ItemSize.Of(item));
    }

    [Fact]
    public void An_item_over_400_kb_is_a_validation_error()
    {
        var item = new Dictionary<string, AttributeValue> { ["PK"] = Av.S("X"), ["content"] = Av.S(new string('x', ItemSize.MaxBytes)) };
        var error = Assert.Throws<ValidationException>(() => ItemSize.EnsureWithinLimit(item));
        Assert.Equal("item", Assert.Single(error.Errors).Field);
    }

    [Fact]
    public void An_item_just_under_the_limit_passes()
    {
        var item = new Dictionary<string, AttributeValue> { ["c"] = Av.S(new string('x', ItemSize.MaxBytes - 1)) };
        ItemSize.EnsureWithinLimit(item);
        Assert.Equal(ItemSize.MaxBytes, ItemSize.Of(item));
    }
}
