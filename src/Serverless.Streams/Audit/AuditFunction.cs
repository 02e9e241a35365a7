using Serverless.Data.Audit;
using Serverless.Data.Items;
using Serverless.Data.Table;
using Serverless.Data.Writing;
using Serverless.Domain;
using Serverless.Domain.Audit;
using Serverless.Lambda.Batch;
using Serverless.Lambda.Events;
using Serverless.Streams.Decoding;

namespace Serverless.Streams.Audit;

/// <summary>
/// The seed's audit_log, fed by the stream: one audit entry per INSERT, MODIFY and REMOVE of an entity item
/// (<see cref="AuditedTypes"/>). Index items (email markers, name words, cities) are bookkeeping of a user change that
/// is audited on the user item itself; audit entries are never audited, so the function's own writes cannot feed it.
/// A MODIFY that changed nothing but the write stamps is not audited either (see <see cref="ItemContent.Same"/>).
/// The entry is keyed by the stream record's time, sequence number and eventID (so a record's history reads in the
/// order of its changes, also within one second or, on DynamoDB Local, one minute) and its values come from the record
/// alone, so a redelivered record rewrites the same entry unchanged: never a second one.
/// </summary>
public sealed class AuditFunction : IDynamoDBRecordHandler
{
    /// <summary>The entity types that get audit entries.</summary>
    public static IReadOnlySet<string> AuditedTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        EntityTypes.User,
        EntityTypes.Order,
        EntityTypes.OrderItem,
        EntityTypes.Product,
        EntityTypes.Role,
        EntityTypes.UserRole,
        EntityTypes.Comment,
    };

    private readonly AuditBatchWriter _audit;

    /// <param name="audit">Gathers the entries of records handled at the same time into BatchWriteItem calls.</param>
    public AuditFunction(AuditBatchWriter audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        _audit = audit;
    }

    public async ValueTask<RecordResult> HandleAsync(DynamoDBEventRecord record, CancellationToken cancellationToken)
    {
        var change = StreamRecordDecoder.Decode(record);
        if (StreamSkips.Unhandled(change) is { } skip)
        {
            return skip;
        }

        if (!AuditedTypes.Contains(change.EntityType!))
        {
            return RecordResult.Ignored($"{change.EntityType} items are not audited");
        }

        if (change.Kind == ChangeKind.Modify && ItemContent.Same(change.OldItem, change.NewItem))
        {
            // Nothing changed but who wrote last: the stamp a hard delete (product, role link) puts on the item just
            // before removing it, so the REMOVE record carries its deleter. That REMOVE is the change to audit.
            return RecordResult.Ignored("only the write stamps changed (version, updatedAt, lastWriter)");
        }

        var entry = AuditEntryOf(change);
        await _audit.WriteAsync(entry, cancellationToken).ConfigureAwait(false);
        return RecordResult.Processed;
    }

    /// <summary>The entry for one change; the same record always gives the same entry (same key, same values).</summary>
    /// <exception cref="StreamRecordDecodingException">
    /// The record lacks its time or a decimal sequence number, or an image does not map to its type.
    /// </exception>
    public static AuditEntry AuditEntryOf(StreamChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var changedAt = change.ChangedAt
            ?? throw new StreamRecordDecodingException($"Record {change.EventId} has no ApproximateCreationDateTime; the audit entry's key needs it.");
        if (!AuditEntryRules.IsSequenceNumber(change.SequenceNumber))
        {
            throw new StreamRecordDecodingException(
                $"Record {change.EventId} has no SequenceNumber of 1 to {Limits.MaxSequenceNumberDigits} decimal digits; the audit entry's key needs it to keep the stream's order.");
        }

        var entry = new AuditEntry
        {
            EntityType = change.EntityType!,
            // Reading the entity also proves the image is a valid item of its type: a corrupt item fails here, loudly.
            RecordId = change.RecordId(),
            Action = change.Kind switch
            {
                ChangeKind.Insert => AuditAction.Insert,
                ChangeKind.Modify => AuditAction.Update,
                ChangeKind.Remove => AuditAction.Delete,
                _ => throw new StreamRecordDecodingException($"Record {change.EventId} has eventName '{change.EventName}', which is no change to audit."),
            },
            ChangedBy = change.ChangedBy,
            ChangedAt = changedAt,
            EventId = change.EventId,
            SequenceNumber = change.SequenceNumber,
            OldValues = change.Kind == ChangeKind.Insert ? null : AuditValues.ToJson(change.OldItem) ?? "{}",
            NewValues = change.Kind == ChangeKind.Remove ? null : AuditValues.ToJson(change.NewItem) ?? "{}",
        };

        return FitsInOneItem(entry) ? entry : ChangedAttributesOnly(entry, change);
    }

    /// <summary>
    /// Two images of a large item can exceed DynamoDB's 400 KB as one audit item. Then the entry keeps only the
    /// attributes that changed (a delete or insert keeps only the names), which is still what the audit trail is for,
    /// rather than failing the record forever.
    /// </summary>
    private static AuditEntry ChangedAttributesOnly(AuditEntry entry, StreamChange change)
    {
        var changed = AuditValues.ChangedNames(change.OldItem, change.NewItem);
        var reduced = entry with
        {
            OldValues = change.OldItem is null || entry.OldValues is null ? entry.OldValues : AuditValues.ToJson(change.OldItem, changed),
            NewValues = change.NewItem is null || entry.NewValues is null ? entry.NewValues : AuditValues.ToJson(change.NewItem, changed),
        };
        if (FitsInOneItem(reduced))
        {
            return reduced;
        }

        var names = "{\"truncated\":true,\"attributes\":" + System.Text.Json.JsonSerializer.Serialize(changed, StreamsJsonContext.Default.IReadOnlyListString) + "}";
        return entry with
        {
            OldValues = entry.OldValues is null ? null : names,
            NewValues = entry.NewValues is null ? null : names,
        };
    }

    // The retention does not change the size; any expiry gives the same ttl attribute size to within a few bytes.
    private static bool FitsInOneItem(AuditEntry entry) =>
        ItemSize.Of(AuditEntryMapper.ToItem(entry, entry.ChangedAt)) <= ItemSize.MaxBytes - 64;
}
