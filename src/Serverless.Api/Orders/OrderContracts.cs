using Serverless.Domain.Orders;

namespace Serverless.Api.Orders;

/// <summary>
/// POST /orders: who orders what, in which quantities. Names, prices and the total are never taken from the client:
/// they are read from the products and computed.
/// </summary>
public sealed record CreateOrderRequest
{
    /// <summary>
    /// The user the order is for. A service caller (data.write) names it; an end-user token leaves it out (or names
    /// its own subject): naming another user is 403.
    /// </summary>
    // A setter, not init: the source-generated deserializer assigns every init member, present or not.
    public Guid? UserId { get; set; }

    public required List<OrderLineRequest> Items { get; init; }
}

public sealed record OrderLineRequest
{
    public required Guid ProductId { get; init; }

    public required int Quantity { get; init; }
}

/// <summary>PATCH /orders/{id}: the next status of the lifecycle.</summary>
public sealed record UpdateOrderRequest
{
    public required OrderStatus Status { get; init; }
}

public sealed record OrderLineResponse(Guid ProductId, string ProductName, int Quantity, decimal UnitPrice, decimal LineTotal);

public sealed record OrderResponse(
    Guid Id,
    Guid UserId,
    OrderStatus Status,
    decimal Total,
    DateTimeOffset OrderedAt,
    string UserEmail,
    string UserName,
    IReadOnlyList<OrderLineResponse> Items,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version)
{
    public static OrderResponse From(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new(
            order.Id,
            order.UserId,
            order.Status,
            order.Total,
            order.OrderedAt,
            order.UserEmail,
            order.UserName,
            [.. order.Items.Select(i => new OrderLineResponse(i.ProductId, i.ProductName, i.Quantity, i.UnitPrice, i.LineTotal))],
            order.CreatedAt,
            order.UpdatedAt,
            order.Version);
    }
}
