namespace Serverless.Domain.Audit;

public enum AuditAction { Insert, Update, Delete }

/// <summary>The seed's audit_log row, written by the audit stream function, one per change.</summary>
public sealed record AuditEntry
{
    /// <summary>Entity type of the changed record (User, Order, OrderItem, Product, Role, UserRole, Comment).</summary>
    public required string EntityType { get; init; }

    public required string RecordId { get; init; }

    public required AuditAction Action { get; init; }

    /// <summary>The item's last writer, or <c>system:ttl</c> for a TTL deletion.</summary>
    public required string ChangedBy { get; init; }

    public required DateTimeOffset ChangedAt { get; init; }

    /// <summary>JSON object of the old values, or null for an insert.</summary>
    public string? OldValues { get; init; }

    /// <summary>JSON object of the new values, or null for a delete.</summary>
    public string? NewValues { get; init; }

    /// <summary>The stream record's eventID: unique per change, the same on every redelivery.</summary>
    public required string EventId { get; init; }

    /// <summary>
    /// The stream record's SequenceNumber (decimal digits, up to 40): what orders the changes of one record that share
    /// a time. Required to write an entry; null only on entries stored before it was kept.
    /// </summary>
    public required string? SequenceNumber { get; init; }
}
