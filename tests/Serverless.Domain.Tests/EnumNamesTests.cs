using Serverless.Domain;
using Serverless.Domain.Audit;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Users;

namespace Serverless.Domain.Tests;

public sealed class EnumNamesTests
{
    [Fact]
    public void Names_are_spelled_as_the_seed_spells_them()
    {
        Assert.Equal(["active", "inactive", "suspended", "deleted"], EnumNames.UserStatus.Names);
        Assert.Equal(["pending", "processing", "shipped", "delivered", "cancelled"], EnumNames.OrderStatus.Names);
        Assert.Equal(["home", "work", "other"], EnumNames.AddressType.Names);
        Assert.Equal(["Post", "Product", "User"], EnumNames.CommentTarget.Names);
        Assert.Equal(["INSERT", "UPDATE", "DELETE"], EnumNames.AuditAction.Names);
    }

    [Fact]
    public void Every_enum_value_has_exactly_one_name()
    {
        Assert.All(Enum.GetValues<UserStatus>(), v => Assert.True(EnumNames.UserStatus.IsDefined(v)));
        Assert.All(Enum.GetValues<OrderStatus>(), v => Assert.True(EnumNames.OrderStatus.IsDefined(v)));
        Assert.All(Enum.GetValues<AddressType>(), v => Assert.True(EnumNames.AddressType.IsDefined(v)));
        Assert.All(Enum.GetValues<CommentTarget>(), v => Assert.True(EnumNames.CommentTarget.IsDefined(v)));
        Assert.All(Enum.GetValues<AuditAction>(), v => Assert.True(EnumNames.AuditAction.IsDefined(v)));
    }

    [Theory]
    [InlineData("Active")]
    [InlineData("ACTIVE")]
    [InlineData("enabled")]
    [InlineData("")]
    public void Unknown_or_differently_cased_names_are_rejected(string name)
    {
        Assert.False(EnumNames.UserStatus.TryParse(name, out _));
        Assert.Throws<FormatException>(() => EnumNames.UserStatus.Parse(name));
    }

    [Fact]
    public void A_name_parses_back_to_its_value() =>
        Assert.Equal(OrderStatus.Cancelled, EnumNames.OrderStatus.Parse(OrderStatus.Cancelled.ToName()));
}
