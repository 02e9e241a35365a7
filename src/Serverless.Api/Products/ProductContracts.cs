using Serverless.Data.Orders;
using Serverless.Domain.Products;

namespace Serverless.Api.Products;

public sealed record CreateProductRequest
{
    public required string Name { get; init; }

    // A setter, not init: the source-generated deserializer assigns every init member, present or not.
    public string? Description { get; set; }

    /// <summary>decimal(10,2), never negative.</summary>
    public required decimal Price { get; init; }
}

/// <summary>PATCH /products/{id}: only the members sent change; <c>description</c> can be cleared with null.</summary>
public sealed class UpdateProductRequest : PatchRequest
{
    public string? Name { get => field; set => field = Present(value); }

    public string? Description { get => field; set => field = Present(value); }

    public decimal? Price { get => field; set => field = Present(value); }
}

public sealed record ProductResponse(
    Guid Id, string Name, string? Description, decimal Price, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long Version)
{
    public static ProductResponse From(Product p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.Id, p.Name, p.Description, p.Price, p.CreatedAt, p.UpdatedAt, p.Version);
    }
}

/// <summary>One order containing the product, with that product's line.</summary>
public sealed record ProductOrderResponse(Guid OrderId, Guid UserId, DateTimeOffset OrderedAt, int Quantity, decimal UnitPrice, decimal LineTotal)
{
    public static ProductOrderResponse From(StoredOrderItem line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new(line.OrderId, line.UserId, line.OrderedAt, line.Item.Quantity, line.Item.UnitPrice, line.Item.LineTotal);
    }
}
