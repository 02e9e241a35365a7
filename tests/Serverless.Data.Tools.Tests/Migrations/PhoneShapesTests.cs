using Amazon.DynamoDBv2.Model;
using Serverless.Data.Tools.Migrations;
using Serverless.Testing;
using Xunit;

namespace Serverless.Data.Tools.Tests.Migrations;

public sealed class PhoneShapesTests
{
    [Fact]
    public void Downgrade_undoes_upgrade_exactly_for_every_migratable_user()
    {
        foreach (var (item, index) in V1Users.Build(200).Select((item, index) => (item, index)))
        {
            var up = PhoneShapes.Upgrade(item);
            if (V1Users.IsInvalid(index))
            {
                Assert.NotNull(up.Failure);
                continue;
            }

            var down = PhoneShapes.Downgrade(up.Item!);
            Assert.Equal(ItemText.Of(item), ItemText.Of(down.Item!));
        }
    }

    [Theory]
    [InlineData("555-0100", "lacks the leading '+'")]
    [InlineData("", "is empty")]
    [InlineData("+1 415 555 0100", "characters other than digits")]
    [InlineData("+0123456", "starts with 0")]
    [InlineData("+1234567890123456", "at most 15")]
    [InlineData("+", "too short")]
    public void An_invalid_phone_is_reported_with_its_reason_and_without_the_number(string phone, string reason)
    {
        var item = V1Users.Build(1)[0];
        item["metadata"].M["phone"] = new AttributeValue { S = phone };

        var result = PhoneShapes.Upgrade(item);

        Assert.Null(result.Item);
        Assert.Contains(reason, result.Failure, StringComparison.Ordinal);
        if (phone.Length > 1)
        {
            Assert.DoesNotContain(phone, result.Failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rollback_refuses_to_overwrite_a_metadata_phone_written_since()
    {
        var v2 = PhoneShapes.Upgrade(V1Users.Build(2)[1]).Item!;
        v2["metadata"].M["phone"] = new AttributeValue { S = "+4930123456" };

        var result = PhoneShapes.Downgrade(v2);

        Assert.Null(result.Item);
        Assert.Contains("overwrite", result.Failure, StringComparison.Ordinal);
    }
}
