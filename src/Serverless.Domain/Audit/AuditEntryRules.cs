namespace Serverless.Domain.Audit;

public static class AuditEntryRules
{
    public static IReadOnlyList<FieldError> Validate(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var errors = new FieldErrorCollector();
        errors.RequiredString("entityType", entry.EntityType, Limits.MaxAuditEntityType);
        errors.RequiredString("recordId", entry.RecordId);
        errors.Defined("action", entry.Action, EnumNames.AuditAction);
        errors.RequiredString("changedBy", entry.ChangedBy);
        errors.RequiredString("eventId", entry.EventId);
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

        return errors.Errors;
    }

    public static void EnsureValid(AuditEntry entry)
    {
        var errors = Validate(entry);
        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }
    }
}
