using Serverless.Data.Privacy;
using Serverless.Domain.Orders;

namespace Serverless.Data.Orders;

/// <summary>
/// Orders: a header item plus one item per line in the order's own partition, listed per user and per product
/// through GSI1. Every read is a Query or GetItem (never a Scan); every write carries its condition.
/// </summary>
public sealed partial class OrderRepository(TableAccess table) : TableRepository(table)
{
    private const string Entity = "Order";

    /// <summary>The order with all its items (one Query on the order's partition); null when there is none.</summary>
    public async Task<Order?> GetAsync(Guid orderId, CancellationToken cancellationToken)
    {
        // Consistent: callers use the version read here as If-Match for the next write. At most 51 small items, so
        // one round in practice; reading on only guards against the 1 MB page limit.
        var request = (PartitionQuery.OnTable(Keys.OrderPartition(orderId)) with { Consistent = true }).ToRequest(Table).ExcludeExpired(Access.Now());
        var items = await Access.Paging.AllAsync(request, cancellationToken).ConfigureAwait(false);

        // Lines without a header are an order half-removed by a purge: the order is gone.
        var header = items.FirstOrDefault(i => i[Attr.EntityType].S == EntityTypes.Order);
        if (header is null)
        {
            return null;
        }

        var opened = await OpenHeadersAsync([header], cancellationToken).ConfigureAwait(false);
        return OrderMapper.FromItems(items.Select(i => ReferenceEquals(i, header) ? opened[0] : i));
    }

    /// <summary>
    /// A user's orders, newest first (GSI1 USER#id read backwards). Headers only: <see cref="Order.Items"/> is empty;
    /// <see cref="GetAsync"/> reads one order whole.
    /// </summary>
    public async Task<Page<Order>> ListByUserAsync(Guid userId, PageRequest page, CancellationToken cancellationToken)
    {
        var headers = await Access.PageAsync(OrdersOfUser(userId), QueryFingerprint.Of("orders.user", Keys.Id(userId)), page, i => i, cancellationToken)
            .ConfigureAwait(false);
        var opened = await OpenHeadersAsync(headers.Items, cancellationToken).ConfigureAwait(false);
        return new Page<Order>([.. opened.Select(OrderMapper.FromHeaderItem)], headers.NextCursor);
    }

    /// <summary>Headers with their copies of the user's PII decrypted (the users' keys from memory, or one BatchGetItem).</summary>
    private async Task<List<Dictionary<string, AttributeValue>>> OpenHeadersAsync(IReadOnlyList<Dictionary<string, AttributeValue>> headers, CancellationToken cancellationToken)
    {
        var owners = headers.Where(OrderProtection.IsSealed).Select(h => new ItemReader(h).Guid(Attr.UserId)).Distinct().ToList();
        var keys = owners.Count == 0
            ? new Dictionary<Guid, UserFieldKeys>()
            : await Access.Privacy.ForUsersAsync(owners, Access.Reads, cancellationToken).ConfigureAwait(false);
        return [.. headers.Select(h => OrderProtection.Open(h, keys.GetValueOrDefault(new ItemReader(h).Guid(Attr.UserId))))];
    }

    /// <summary>
    /// The ids of a user's orders, newest first, reading only the ids (for the denormalization function, which
    /// rewrites every order of a user after an email or name change).
    /// </summary>
    public Task<Page<Guid>> ListOrderIdsOfUserAsync(Guid userId, PageRequest page, CancellationToken cancellationToken) =>
        Access.PageAsync(
            OrdersOfUser(userId) with { Attributes = [Attr.Id] },
            // Its own fingerprint: a cursor of the full listing must not be replayed here, or the other way round.
            QueryFingerprint.Of("orders.user.ids", Keys.Id(userId)),
            page,
            i => new ItemReader(i).Guid(Attr.Id),
            cancellationToken);

    /// <summary>
    /// The orders that contain a product, newest first (GSI1 PRODUCT#id over the order lines, read backwards): each
    /// with its order id, user, time and the line for that product.
    /// </summary>
    public Task<Page<StoredOrderItem>> ListByProductAsync(Guid productId, PageRequest page, CancellationToken cancellationToken) =>
        Access.PageAsync(
            PartitionQuery.OnGsi1(IndexKeys.OrdersWithProduct(productId), KeyPrefix.Order) with { NewestFirst = true },
            QueryFingerprint.Of("orders.product", Keys.Id(productId)),
            page,
            OrderMapper.FromLineItem,
            cancellationToken);

    // The prefix keeps the pattern to order headers even if USER#id ever gets other GSI1 members.
    private static PartitionQuery OrdersOfUser(Guid userId) =>
        PartitionQuery.OnGsi1(IndexKeys.OrdersOfUser(userId), KeyPrefix.Order) with { NewestFirst = true };
}
