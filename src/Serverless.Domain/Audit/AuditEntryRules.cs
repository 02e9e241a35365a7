namespace Serverless.Domain.Audit;

public sealed class AuditEntryRules : Rules<AuditEntry, AuditEntryRules>, IRuleSet<AuditEntry>
{
    public static void Check(AuditEntry entry, FieldErrorCollector errors)
    {
        errors.RequiredString("entityType", entry.EntityType, Limits.MaxAuditEntityType);
        errors.RequiredString("recordId", entry.RecordId);
        errors.Defined("action", entry.Action, EnumNames.AuditAction);
        errors.RequiredString("changedBy", entry.ChangedBy);
        errors.RequiredString("eventId", entry.EventId);
        if (!IsSequenceNumber(entry.SequenceNumber))
        {
            errors.Add("sequenceNumber", $"must be 1 to {Limits.MaxSequenceNumberDigits} decimal digits.");
        }

        if (entry.ChangedAt == default)
        {
            errors.Add("changedAt", "is required.");
        }

        // An insert has no old values and a delete no new ones; anything else must carry what changed.
        if (entry.Action != AuditAction.Insert && entry.OldValues is null)
        {
            errors.Add("oldValues", "is required for an update or a delete.");
        }

        if (entry.Action != AuditAction.Delete && entry.NewValues is null)
        {
            errors.Add("newValues", "is required for an insert or an update.");
        }
    }

    /// <summary>
    /// Decimal digits only, so that zero-padded to <see cref="Limits.MaxSequenceNumberDigits"/> their text order is
    /// their numeric order. Shorter than the service's 21 digits is allowed: emulators and tests number from 1.
    /// </summary>
    public static bool IsSequenceNumber(string? value) =>
        value is { Length: > 0 and <= Limits.MaxSequenceNumberDigits } && value.All(char.IsAsciiDigit);
}
