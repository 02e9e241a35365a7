namespace Serverless.Domain.Orders;

public enum OrderStatus { Pending, Processing, Shipped, Delivered, Cancelled }

public sealed record OrderItem
{
    public required Guid ProductId { get; init; }

    /// <summary>Copied from the product when ordered, so the order reads the same after the product changes.</summary>
    public required string ProductName { get; init; }

    public required int Quantity { get; init; }

    public required decimal UnitPrice { get; init; }

    public decimal LineTotal => Quantity * UnitPrice;
}

public sealed record Order : Entity
{
    public required Guid Id { get; init; }

    public required Guid UserId { get; init; }

    public OrderStatus Status { get; init; } = OrderStatus.Pending;

    /// <summary>Always the sum of the items' line totals; never taken from a client.</summary>
    public decimal Total { get; init; }

    public DateTimeOffset OrderedAt { get; init; }

    /// <summary>Denormalized from the user (seed: orders.user_email), kept in sync by the stream function.</summary>
    public required string UserEmail { get; init; }

    /// <summary>Denormalized from the user (seed: orders.user_name).</summary>
    public required string UserName { get; init; }

    /// <summary>The user's version the denormalized fields came from; an older change never overwrites a newer one.</summary>
    public long UserVersion { get; init; }

    public IReadOnlyList<OrderItem> Items { get; init; } = [];
}
