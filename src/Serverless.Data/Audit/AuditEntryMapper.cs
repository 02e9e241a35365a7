using Serverless.Domain.Audit;

namespace Serverless.Data.Audit;

/// <summary>
/// AuditEntry &lt;-&gt; AUDIT#type#recordId / changedAt#sequenceNumber#eventId: a record's history is one Query, in
/// the order of its changes either way; a replayed stream record lands on the same item.
/// </summary>
public static class AuditEntryMapper
{
    /// <param name="expiresAt">End of the audit retention; becomes the item's ttl.</param>
    public static Dictionary<string, AttributeValue> ToItem(AuditEntry entry, DateTimeOffset? expiresAt)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var sequenceNumber = entry.SequenceNumber
            ?? throw new ArgumentException("An audit entry needs its stream record's sequence number to be stored.", nameof(entry));
        var key = Keys.AuditEntry(entry.EntityType, entry.RecordId, entry.ChangedAt, sequenceNumber, entry.EventId);
        var item = CommonAttributes.NewItem(key, EntityTypes.AuditEntry, SchemaVersions.AuditEntry);
        item[Attr.RecordType] = Av.S(entry.EntityType);
        item[Attr.RecordId] = Av.S(entry.RecordId);
        item[Attr.Action] = Av.S(entry.Action.ToName());
        item[Attr.ChangedBy] = Av.S(entry.ChangedBy);
        item[Attr.ChangedAt] = Av.Time(entry.ChangedAt);
        item[Attr.EventId] = Av.S(entry.EventId);
        item[Attr.SequenceNumber] = Av.S(sequenceNumber);
        // Old and new values stay JSON text: they are read as a whole, never queried inside.
        item.AddIfNotNull(Attr.OldValues, entry.OldValues);
        item.AddIfNotNull(Attr.NewValues, entry.NewValues);
        // The audit item's own last writer is the changer, so "who wrote this item" has one answer everywhere.
        item[Attr.LastWriter] = Av.S(entry.ChangedBy);
        if (expiresAt is { } expiry)
        {
            item[Attr.Ttl] = Av.EpochSeconds(expiry);
        }

        return item;
    }

    public static AuditEntry FromItem(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var reader = new ItemReader(item);
        var schemaVersion = reader.ExpectEntity(EntityTypes.AuditEntry, SchemaVersions.AuditEntry);
        return new AuditEntry
        {
            EntityType = reader.String(Attr.RecordType),
            RecordId = reader.String(Attr.RecordId),
            Action = reader.Enum(Attr.Action, EnumNames.AuditAction),
            ChangedBy = reader.String(Attr.ChangedBy),
            ChangedAt = reader.Time(Attr.ChangedAt),
            EventId = reader.String(Attr.EventId),
            // Version 1 entries predate the sequence number (their key is changedAt#eventId); they are read as they are.
            SequenceNumber = schemaVersion == 1 ? null : reader.String(Attr.SequenceNumber),
            OldValues = reader.OptionalString(Attr.OldValues),
            NewValues = reader.OptionalString(Attr.NewValues),
        };
    }
}
