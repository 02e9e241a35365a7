using Serverless.Domain.Audit;

namespace Serverless.Data.Audit;

/// <summary>
/// The audit trail: AUDIT#entityType#recordId / changedAt#sequenceNumber#eventId, one item per change, kept for
/// <see cref="TableOptions.AuditRetention"/> through its ttl. Written by the audit stream function only.
/// </summary>
public sealed class AuditRepository(TableAccess table) : TableRepository(table)
{
    /// <summary>
    /// Writes the entry once. The key comes from the stream record (its time, sequence number and event id), so a
    /// retried or duplicated record addresses the same item; that second write changes nothing and still counts as
    /// success.
    /// </summary>
    /// <returns>True when this call wrote the entry; false when it was already there (left exactly as it was).</returns>
    /// <exception cref="ValidationException">The entry breaks a rule or is over 400 KB stored; nothing was written.</exception>
    public async Task<bool> WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        AuditEntryRules.EnsureValid(entry);
        var item = AuditEntryMapper.ToItem(entry, entry.ChangedAt + Access.Options.AuditRetention);
        // Idempotence: the first write of a stream record's entry wins; a replay must neither duplicate nor alter it.
        return await Access.Writer.TryPutAsync(Table, item, WriteCondition.NotExists, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A record's history, newest first, in the order its changes happened (the key's time, then the stream's
    /// sequence number): one backwards Query on its audit partition per page. PII in the entries is decrypted under
    /// its user's key, or shown as erased once the user is purged (<see cref="AuditPii"/>).
    /// </summary>
    /// <param name="entityType">The audited entity's type (User, Order, ...), as in <see cref="AuditEntry.EntityType"/>.</param>
    /// <exception cref="ValidationException">The entity type or record id is empty or too long.</exception>
    public async Task<Page<AuditEntry>> HistoryAsync(string entityType, string recordId, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var errors = new FieldErrorCollector();
        errors.RequiredString("entityType", entityType, Limits.MaxAuditEntityType);
        errors.RequiredString("recordId", recordId);
        errors.ThrowIfAny();
        var entries = await Access.PageAsync(
            PartitionQuery.OnTable(Keys.AuditPartition(entityType, recordId)) with { NewestFirst = true },
            QueryFingerprint.Of("audit.record", entityType, recordId),
            page,
            AuditEntryMapper.FromItem,
            cancellationToken).ConfigureAwait(false);
        var owners = entries.Items.Select(AuditPii.OwnerOf).OfType<Guid>().Distinct().ToList();
        if (owners.Count == 0)
        {
            return entries;
        }

        var keys = await Access.Privacy.ForUsersAsync(owners, Access.Reads, cancellationToken).ConfigureAwait(false);
        return new Page<AuditEntry>(
            [.. entries.Items.Select(e => AuditPii.OwnerOf(e) is { } owner ? AuditPii.Open(e, keys.GetValueOrDefault(owner)) : e)],
            entries.NextCursor);
    }
}
