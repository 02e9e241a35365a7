using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Paging;
using Serverless.Data.Reading;
using Serverless.Data.Table;
using Serverless.Data.Writing;
using Serverless.Domain.Orders;

namespace Serverless.Data.Orders;

/// <summary>
/// Orders: a header item plus one item per line in the order's own partition, listed per user and per product
/// through GSI1. Every read is a Query or GetItem (never a Scan); every write carries its condition.
/// </summary>
public sealed partial class OrderRepository(TableAccess table)
{
    private const string Entity = "Order";

    private readonly TableAccess _table = table ?? throw new ArgumentNullException(nameof(table));

    private string Table => _table.TableName;

    /// <summary>The order with all its items (one Query on the order's partition); null when there is none.</summary>
    public async Task<Order?> GetAsync(Guid orderId, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = Table,
            KeyConditionExpression = "#pk = :pk",
            ExpressionAttributeNames = new() { ["#pk"] = Attr.PK },
            ExpressionAttributeValues = new() { [":pk"] = Av.S(Keys.OrderPartition(orderId)) },
            // Consistent: callers use the version read here as If-Match for the next write.
            ConsistentRead = true,
        }.ExcludeExpired(_table.Now());

        var items = new List<Dictionary<string, AttributeValue>>();
        do
        {
            // At most 51 small items, so one round in practice; the loop only guards against the 1 MB page limit.
            var response = await _table.Client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            items.AddRange(response.Items ?? []);
            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } lastKey ? lastKey : null;
        }
        while (request.ExclusiveStartKey is not null);

        // Lines without a header are an order half-removed by a purge: the order is gone.
        return items.Any(i => i[Attr.EntityType].S == EntityTypes.Order) ? OrderMapper.FromItems(items) : null;
    }

    /// <summary>
    /// A user's orders, newest first (GSI1 USER#id read backwards). Headers only: <see cref="Order.Items"/> is empty;
    /// <see cref="GetAsync"/> reads one order whole.
    /// </summary>
    public async Task<Page<Order>> ListByUserAsync(Guid userId, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var limit = PageLimits.Resolve(page.Limit, _table.Options);
        var result = await _table.Paging.QueryPageAsync(
            OrdersOfUserQuery(userId),
            QueryFingerprint.Of("orders.user", Keys.Id(userId)),
            TableDefinition.KeyNamesOf(IndexNames.Gsi1),
            limit,
            page.Cursor,
            cancellationToken).ConfigureAwait(false);
        return new Page<Order>([.. result.Items.Select(OrderMapper.FromHeaderItem)], result.NextCursor);
    }

    /// <summary>
    /// The ids of a user's orders, newest first, reading only the ids (for the denormalization function, which
    /// rewrites every order of a user after an email or name change).
    /// </summary>
    public async Task<Page<Guid>> ListOrderIdsOfUserAsync(Guid userId, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var limit = PageLimits.Resolve(page.Limit, _table.Options);
        var request = OrdersOfUserQuery(userId);
        request.ProjectionExpression = "#id";
        request.ExpressionAttributeNames["#id"] = Attr.Id;
        var result = await _table.Paging.QueryPageAsync(
            request,
            // Its own fingerprint: a cursor of the full listing must not be replayed here, or the other way round.
            QueryFingerprint.Of("orders.user.ids", Keys.Id(userId)),
            TableDefinition.KeyNamesOf(IndexNames.Gsi1),
            limit,
            page.Cursor,
            cancellationToken).ConfigureAwait(false);
        return new Page<Guid>([.. result.Items.Select(i => new ItemReader(i).Guid(Attr.Id))], result.NextCursor);
    }

    /// <summary>
    /// The orders that contain a product, newest first (GSI1 PRODUCT#id over the order lines, read backwards): each
    /// with its order id, user, time and the line for that product.
    /// </summary>
    public async Task<Page<StoredOrderItem>> ListByProductAsync(Guid productId, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var limit = PageLimits.Resolve(page.Limit, _table.Options);
        var request = new QueryRequest
        {
            TableName = Table,
            IndexName = IndexNames.Gsi1,
            KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :order)",
            ExpressionAttributeNames = new() { ["#pk"] = Attr.Gsi1PK, ["#sk"] = Attr.Gsi1SK },
            ExpressionAttributeValues = new()
            {
                [":pk"] = Av.S(IndexKeys.OrdersWithProduct(productId)),
                [":order"] = Av.S(KeyPrefix.Order),
            },
            ScanIndexForward = false,
        };
        var result = await _table.Paging.QueryPageAsync(
            request,
            QueryFingerprint.Of("orders.product", Keys.Id(productId)),
            TableDefinition.KeyNamesOf(IndexNames.Gsi1),
            limit,
            page.Cursor,
            cancellationToken).ConfigureAwait(false);
        return new Page<StoredOrderItem>([.. result.Items.Select(OrderMapper.FromLineItem)], result.NextCursor);
    }

    private QueryRequest OrdersOfUserQuery(Guid userId) => new()
    {
        TableName = Table,
        IndexName = IndexNames.Gsi1,
        // begins_with keeps the pattern to order headers even if USER#id ever gets other GSI1 members.
        KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :order)",
        ExpressionAttributeNames = new() { ["#pk"] = Attr.Gsi1PK, ["#sk"] = Attr.Gsi1SK },
        ExpressionAttributeValues = new()
        {
            [":pk"] = Av.S(IndexKeys.OrdersOfUser(userId)),
            [":order"] = Av.S(KeyPrefix.Order),
        },
        ScanIndexForward = false,
    };

}
