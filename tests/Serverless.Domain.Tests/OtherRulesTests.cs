using Serverless.Domain.Audit;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Roles;
using Serverless.Testing.Domain;

namespace Serverless.Domain.Tests;

public sealed class OtherRulesTests
{
    [Fact]
    public void Valid_samples_of_every_entity_have_no_errors()
    {
        Assert.Empty(OrderRules.Validate(Samples.Order()));
        Assert.Empty(ProductRules.Validate(Samples.Product()));
        Assert.Empty(RoleRules.Validate(Samples.Role()));
        Assert.Empty(UserRoleRules.Validate(Samples.UserRole()));
        Assert.Empty(CommentRules.Validate(Samples.Comment()));
        Assert.Empty(AuditEntryRules.Validate(Samples.AuditEntry()));
    }

    [Fact]
    public void Order_item_errors_name_the_item_and_field()
    {
        var order = Samples.Order();
        var invalid = order with
        {
            Items = [order.Items[0] with { Quantity = 0 }, order.Items[1] with { UnitPrice = -1m, ProductName = "" }],
        };
        Assert.Equal(
            ["items[0].quantity", "items[1].productName", "items[1].unitPrice"],
            OrderRules.Validate(invalid).Select(e => e.Field));
    }

    [Fact]
    public void An_unknown_order_status_is_rejected() =>
        Assert.Equal("status", Assert.Single(OrderRules.Validate(Samples.Order() with { Status = (OrderStatus)9 })).Field);

    [Fact]
    public void An_order_without_items_is_rejected() =>
        Assert.Contains(OrderRules.Validate(Samples.Order() with { Items = [], Total = 0 }), e => e.Field == "items");

    [Fact]
    public void An_order_total_other_than_the_sum_of_its_lines_is_rejected() =>
        Assert.Equal("total", Assert.Single(OrderRules.Validate(Samples.Order() with { Total = 1m })).Field);

    [Fact]
    public void The_same_product_twice_in_an_order_is_rejected()
    {
        var order = Samples.Order();
        var twice = order with { Items = [order.Items[0], order.Items[0]], Total = 2 * order.Items[0].LineTotal };
        Assert.Equal("items[1].productId", Assert.Single(OrderRules.Validate(twice)).Field);
    }

    [Fact]
    public void A_product_price_with_three_decimals_is_rejected() =>
        Assert.Equal("price", Assert.Single(ProductRules.Validate(Samples.Product() with { Price = 1.999m })).Field);

    [Fact]
    public void A_role_without_a_name_is_rejected() =>
        Assert.Equal("name", Assert.Single(RoleRules.Validate(Samples.Role() with { Name = " " })).Field);

    [Fact]
    public void Comment_content_may_be_long_but_not_over_ten_thousand_characters()
    {
        Assert.Empty(CommentRules.Validate(Samples.Comment() with { Content = new string('c', 10_000) }));
        Assert.Equal("content", Assert.Single(CommentRules.Validate(Samples.Comment() with { Content = new string('c', 10_001) })).Field);
    }

    [Fact]
    public void An_unknown_comment_target_is_rejected() =>
        Assert.Equal("targetType", Assert.Single(CommentRules.Validate(Samples.Comment() with { TargetType = (CommentTarget)5 })).Field);

    [Fact]
    public void An_audit_update_without_old_values_is_rejected() =>
        Assert.Equal("oldValues", Assert.Single(AuditEntryRules.Validate(Samples.AuditEntry() with { OldValues = null })).Field);
}
