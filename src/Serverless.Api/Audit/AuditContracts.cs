using System.Text.Json;
using Serverless.Domain.Audit;

namespace Serverless.Api.Audit;

/// <summary>The seed's audit_log row. Old and new values are the stored JSON objects, passed through as JSON.</summary>
public sealed record AuditEntryResponse(
    string EntityType, string RecordId, AuditAction Action, string ChangedBy, DateTimeOffset ChangedAt, JsonElement? OldValues, JsonElement? NewValues)
{
    public static AuditEntryResponse From(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry.EntityType, entry.RecordId, entry.Action, entry.ChangedBy, entry.ChangedAt, Parse(entry.OldValues), Parse(entry.NewValues));
    }

    private static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
