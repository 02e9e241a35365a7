using Serverless.Domain.Orders;

namespace Serverless.Data.Orders;

/// <summary>
/// An order is one header item (ORDER#id / ORDER) plus one item per line (ORDER#id / ITEM#productId), so
/// "an order with its items" is one Query on the order's partition.
/// </summary>
public static class OrderMapper
{
    /// <summary>The header and every line, in the order they are written.</summary>
    public static IReadOnlyList<Dictionary<string, AttributeValue>> ToItems(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return [ToHeaderItem(order), .. order.Items.Select(line => ToLineItem(order, line))];
    }

    public static Dictionary<string, AttributeValue> ToHeaderItem(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var item = CommonAttributes.NewItem(Keys.Order(order.Id), EntityTypes.Order, SchemaVersions.Initial);
        CommonAttributes.AddEntityState(item, order);
        item[Attr.Id] = Av.Guid(order.Id);
        item[Attr.UserId] = Av.Guid(order.UserId);
        item[Attr.Status] = Av.S(order.Status.ToName());
        item[Attr.Total] = Av.N(order.Total);
        item[Attr.OrderedAt] = Av.Time(order.OrderedAt);
        item[Attr.UserEmail] = Av.S(order.UserEmail);
        item[Attr.UserName] = Av.S(order.UserName);
        item[Attr.UserVersion] = Av.N(order.UserVersion);
        // A user's orders, newest first: GSI1 USER#id, read backwards.
        item[Attr.Gsi1PK] = Av.S(IndexKeys.OrdersOfUser(order.UserId));
        item[Attr.Gsi1SK] = Av.S(IndexKeys.OrderSort(order.OrderedAt, order.Id));
        return item;
    }

    /// <summary>One line; it copies the order's time and user so "orders containing a product" lists without reading headers.</summary>
    public static Dictionary<string, AttributeValue> ToLineItem(Order order, OrderItem line)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(line);
        var item = CommonAttributes.NewItem(Keys.OrderItem(order.Id, line.ProductId), EntityTypes.OrderItem, SchemaVersions.Initial);
        item[Attr.OrderId] = Av.Guid(order.Id);
        item[Attr.UserId] = Av.Guid(order.UserId);
        item[Attr.ProductId] = Av.Guid(line.ProductId);
        item[Attr.ProductName] = Av.S(line.ProductName);
        item[Attr.Quantity] = Av.N(line.Quantity);
        item[Attr.UnitPrice] = Av.N(line.UnitPrice);
        item[Attr.OrderedAt] = Av.Time(order.OrderedAt);
        item[Attr.CreatedAt] = Av.Time(order.CreatedAt);
        item[Attr.UpdatedAt] = Av.Time(order.UpdatedAt);
        item.AddIfNotNull(Attr.LastWriter, order.LastWriter);
        // Orders containing a product, newest first: GSI1 PRODUCT#id, read backwards.
        item[Attr.Gsi1PK] = Av.S(IndexKeys.OrdersWithProduct(line.ProductId));
        item[Attr.Gsi1SK] = Av.S(IndexKeys.OrderSort(order.OrderedAt, order.Id));
        return item;
    }

    /// <summary>An order from its header alone (as listed by "a user's orders"); <see cref="Order.Items"/> is empty.</summary>
    public static Order FromHeaderItem(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var reader = new ItemReader(item);
        _ = reader.ExpectEntity(EntityTypes.Order, SchemaVersions.Initial);
        return CommonAttributes.ReadEntityState(reader, new Order
        {
            Id = reader.Guid(Attr.Id),
            UserId = reader.Guid(Attr.UserId),
            Status = reader.Enum(Attr.Status, EnumNames.OrderStatus),
            Total = reader.Decimal(Attr.Total),
            OrderedAt = reader.Time(Attr.OrderedAt),
            UserEmail = reader.String(Attr.UserEmail),
            UserName = reader.String(Attr.UserName),
            UserVersion = reader.Long(Attr.UserVersion),
        });
    }

    /// <summary>A whole order from the items of its partition (header and lines in any order).</summary>
    public static Order FromItems(IEnumerable<IReadOnlyDictionary<string, AttributeValue>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        Order? header = null;
        var lines = new List<OrderItem>();
        foreach (var item in items)
        {
            var type = new ItemReader(item).String(Attr.EntityType);
            if (type == EntityTypes.Order)
            {
                header = FromHeaderItem(item);
            }
            else if (type == EntityTypes.OrderItem)
            {
                lines.Add(FromLineItem(item).Item);
            }
        }

        return header is null
            ? throw new InvalidItemException("The order's partition has no header item.")
            : header with { Items = lines };
    }

    public static StoredOrderItem FromLineItem(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var reader = new ItemReader(item);
        _ = reader.ExpectEntity(EntityTypes.OrderItem, SchemaVersions.Initial);
        return new StoredOrderItem(
            reader.Guid(Attr.OrderId),
            reader.Guid(Attr.UserId),
            reader.Time(Attr.OrderedAt),
            new OrderItem
            {
                ProductId = reader.Guid(Attr.ProductId),
                ProductName = reader.String(Attr.ProductName),
                Quantity = reader.Int(Attr.Quantity),
                UnitPrice = reader.Decimal(Attr.UnitPrice),
            });
    }
}

/// <summary>An order line as stored: with the order it belongs to (what "orders containing a product" returns).</summary>
public sealed record StoredOrderItem(Guid OrderId, Guid UserId, DateTimeOffset OrderedAt, OrderItem Item);
