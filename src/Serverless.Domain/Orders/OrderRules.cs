using System.Globalization;
using Serverless.Domain.Users;

namespace Serverless.Domain.Orders;

/// <summary>The seed's constraints on an order and its items, checked before any write.</summary>
public sealed class OrderRules : Rules<Order, OrderRules>, IRuleSet<Order>
{
    public static void Check(Order order, FieldErrorCollector errors)
    {
        errors.NotEmpty("id", order.Id);
        errors.NotEmpty("userId", order.UserId);
        errors.Defined("status", order.Status, EnumNames.OrderStatus);
        errors.RequiredString("userEmail", order.UserEmail);
        if (!string.IsNullOrWhiteSpace(order.UserEmail) && TextRule.Problem(order.UserEmail) is null && !EmailAddress.IsValid(order.UserEmail))
        {
            errors.Add("userEmail", "is not a valid email address.");
        }

        errors.RequiredString("userName", order.UserName);
        errors.Money("total", order.Total);
        ValidateItems(order, errors);
    }

    /// <summary>The total an order must carry: the sum of its line totals (never a client's number).</summary>
    public static decimal TotalOf(IEnumerable<OrderItem> items) => items.Sum(i => i.LineTotal);

    private static void ValidateItems(Order order, FieldErrorCollector errors)
    {
        if (order.Items is null || order.Items.Count == 0)
        {
            // The seed's ERD: an order contains one or more items (||--|{).
            errors.Add("items", "must contain at least one item.");
            return;
        }

        if (order.Items.Count > Limits.MaxOrderItems)
        {
            errors.Add("items", $"must have at most {Limits.MaxOrderItems} entries.");
        }

        var seen = new HashSet<Guid>();
        for (var i = 0; i < order.Items.Count; i++)
        {
            var path = $"items[{i}]";
            var item = order.Items[i];
            if (item is null)
            {
                errors.Add(path, "must not be null.");
                continue;
            }

            errors.NotEmpty($"{path}.productId", item.ProductId);
            if (item.ProductId != Guid.Empty && !seen.Add(item.ProductId))
            {
                // One item per product: the item's key is the product id within the order.
                errors.Add($"{path}.productId", "appears more than once; combine the quantities.");
            }

            errors.RequiredString($"{path}.productName", item.ProductName);
            if (item.Quantity < 1)
            {
                errors.Add($"{path}.quantity", "must be at least 1.");
            }

            errors.Money($"{path}.unitPrice", item.UnitPrice);
        }

        if (!errors.HasErrors && order.Total != TotalOf(order.Items))
        {
            errors.Add("total", $"must equal the sum of the items' line totals ({TotalOf(order.Items).ToString(CultureInfo.InvariantCulture)}).");
        }
    }
}
