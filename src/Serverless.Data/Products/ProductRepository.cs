using Serverless.Domain.Products;

namespace Serverless.Data.Products;

/// <summary>
/// Products (PRODUCT#id / PRODUCT), listed by name through GSI1 PRODUCTS. Deleting is a hard delete: orders keep
/// their own copy of the product's name and price on each line, so nothing needs the product afterwards; the
/// lines stay listed under "orders containing a product" and comments on the product stay in its partition.
/// </summary>
public sealed class ProductRepository(TableAccess table) : TableRepository(table)
{
    private const string Entity = "Product";

    /// <exception cref="ValidationException">The product breaks a rule; nothing was written.</exception>
    /// <exception cref="ConflictException">The id is taken; nothing was written.</exception>
    public async Task<Product> CreateAsync(Product product, string lastWriter, CancellationToken cancellationToken)
    {
        var created = Created(product, lastWriter);
        ProductRules.EnsureValid(created);
        // A random id should never collide; if it does, the other product must not be overwritten.
        await Access.Writer.PutAsync(Table, ProductMapper.ToItem(created), WriteCondition.NotExists,
            ConditionFailures.Conflict("A product with this id already exists.", "id"), cancellationToken).ConfigureAwait(false);
        return created;
    }

    public async Task<Product?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        // Consistent: callers use the version read here as If-Match for the next write.
        var item = await Access.Reads.GetAsync(Table, Keys.Product(id), consistent: true, cancellationToken).ConfigureAwait(false);
        return item is null ? null : ProductMapper.FromItem(item);
    }

    /// <summary>Replaces name, description and price if the product is still at <paramref name="expectedVersion"/>.</summary>
    /// <returns>The product as stored: unchanged, at its version, when the change would change nothing (nothing is written then).</returns>
    /// <exception cref="NotFoundException">No such product.</exception>
    /// <exception cref="ConcurrencyException">The stored version is not <paramref name="expectedVersion"/>; nothing was written.</exception>
    /// <exception cref="ValidationException">The product breaks a rule; nothing was written.</exception>
    public async Task<Product> UpdateAsync(Product product, long expectedVersion, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var id = Keys.Id(product.Id);
        var stored = await Access.Reads.GetAsync(Table, Keys.Product(product.Id), consistent: true, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException(Entity, id);
        var current = ProductMapper.FromItem(stored);
        if (current.Version != expectedVersion)
        {
            throw new ConcurrencyException(Entity, id, expectedVersion);
        }

        var updated = product with { CreatedAt = current.CreatedAt, UpdatedAt = Access.Now(), Version = expectedVersion + 1, LastWriter = lastWriter };
        if (ItemContent.Same(stored, ProductMapper.ToItem(updated)))
        {
            // The put would store what is stored: it would only bump the version and leave an audit entry of no change.
            return current;
        }

        ProductRules.EnsureValid(updated);
        // Optimistic concurrency: written only if nobody wrote since the caller read expectedVersion.
        await Access.Writer.PutAsync(Table, ProductMapper.ToItem(updated), WriteCondition.VersionIs(expectedVersion),
            ConditionFailures.StaleOrMissing(Entity, id, expectedVersion), cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>
    /// Hard delete at <paramref name="expectedVersion"/>. Two writes: the deleter is stamped on the item first
    /// (version + 1), then the item is deleted at that version, so the stream's REMOVE record carries in its old
    /// image who deleted it (the audit trail's changed_by); the stamp changes nothing else, so the audit function
    /// records no UPDATE for it (<see cref="ItemContent.Same"/>). A crash between the two leaves the product stamped,
    /// not deleted; the caller's retry with the new version finishes it.
    /// </summary>
    /// <exception cref="NotFoundException">No such product.</exception>
    /// <exception cref="ConcurrencyException">The stored version is not <paramref name="expectedVersion"/>; nothing was deleted.</exception>
    public async Task DeleteAsync(Guid id, long expectedVersion, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var text = Keys.Id(id);
        var stamped = expectedVersion + 1;
        var stamp = new ItemUpdate(
            "SET #lastWriter = :writer, #version = :stamped, #updatedAt = :now",
            new Dictionary<string, string> { ["#lastWriter"] = Attr.LastWriter, ["#version"] = Attr.Version, ["#updatedAt"] = Attr.UpdatedAt },
            new Dictionary<string, AttributeValue>
            {
                [":writer"] = Av.S(lastWriter),
                [":stamped"] = Av.N(stamped),
                [":now"] = Av.Time(Access.Now()),
            });
        // Optimistic concurrency: a stale caller must not delete what someone else just changed.
        await Access.Writer.UpdateAsync(Table, Keys.Product(id), stamp, WriteCondition.VersionIs(expectedVersion),
            ConditionFailures.StaleOrMissing(Entity, text, expectedVersion), cancellationToken).ConfigureAwait(false);

        // Only the version we stamped: a write that slipped in between wins over our delete. A transaction of one
        // action for its ClientRequestToken: the SDK's resend of a delete whose response was lost is answered as the
        // first attempt was, where a plain DeleteItem's resend would find the product gone and report it missing.
        await Access.Transactions.WriteAsync(
            [WriteAction.Delete(Table, Keys.Product(id), WriteCondition.VersionIs(stamped), ConditionFailures.StaleOrMissing(Entity, text, expectedVersion))],
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>All products by name (case-insensitive, then id): one Query on GSI1 PRODUCTS per page.</summary>
    public Task<Page<Product>> ListAsync(PageRequest page, CancellationToken cancellationToken) =>
        Access.PageAsync(PartitionQuery.OnGsi1(IndexKeys.AllProducts), QueryFingerprint.Of("products.all"), page, ProductMapper.FromItem, cancellationToken);

}
