using Amazon.DynamoDBv2.Model;
using Serverless.Data.Orders;
using Serverless.Data.Tests.Support;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Orders;

/// <summary>
/// An order (header and line items) survives write-read-write unchanged, and its stored shape is pinned under
/// Approved/ (a renamed attribute or a changed encoding fails here first).
/// </summary>
public sealed class OrderMapperTests
{
    [Fact]
    public void An_order_survives_write_read_write()
    {
        var order = Samples.Order();
        var orderItems = OrderMapper.ToItems(order);
        var readOrder = OrderMapper.FromItems(orderItems);
        Assert.Equal(Render(orderItems), Render(OrderMapper.ToItems(readOrder)));
    }

    [Fact]
    public void Order_header_item_shape_is_pinned() =>
        Approvals.Verify("Order", ItemJson.Render(OrderMapper.ToHeaderItem(Samples.Order())));

    [Fact]
    public void Order_item_item_shape_is_pinned() =>
        Approvals.Verify("OrderItem", ItemJson.Render(OrderMapper.ToLineItem(Samples.Order(), Samples.Order().Items[0])));

    private static string Render(IEnumerable<Dictionary<string, AttributeValue>> items) =>
        string.Join("", items.Select(ItemJson.Render));
}
