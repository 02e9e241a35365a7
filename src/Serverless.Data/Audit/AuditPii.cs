using System.Buffers;
using System.Text.Json;
using Serverless.Data.Privacy;
using Serverless.Domain.Audit;

namespace Serverless.Data.Audit;

/// <summary>
/// An audit entry's PII: stored as the stream images held it, ciphertext under the owning user's key (base64 in the
/// entry's JSON), so the audit function never needs a key. Read back, each such value is decrypted, or shown as
/// <see cref="ProtectedFields.Erased"/> once the user's key is gone: the entry keeps who changed what and when.
/// </summary>
public static class AuditPii
{
    private static readonly Dictionary<string, IReadOnlyDictionary<string, string>> FieldsByType = new(StringComparer.Ordinal)
    {
        [EntityTypes.User] = ProtectedFields.User.ToDictionary(f => f, f => f, StringComparer.Ordinal),
        [EntityTypes.Order] = ProtectedFields.OrderCopies,
    };

    /// <summary>The user whose key the entry's PII is under; null for an entity that holds none.</summary>
    public static Guid? OwnerOf(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.EntityType == EntityTypes.User)
        {
            return Guid.TryParse(entry.RecordId, out var id) ? id : null;
        }

        if (entry.EntityType != EntityTypes.Order || (entry.NewValues ?? entry.OldValues) is not { } json)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty(Attr.UserId, out var userId) && Guid.TryParse(userId.GetString(), out var owner) ? owner : null;
    }

    /// <summary>The entry with its PII decrypted under <paramref name="keys"/>, or shown as erased when they are null.</summary>
    /// <exception cref="FieldDecryptionException">A value does not decrypt under the owner's key (altered, or another user's).</exception>
    public static AuditEntry Open(AuditEntry entry, UserFieldKeys? keys)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!FieldsByType.TryGetValue(entry.EntityType, out var fields))
        {
            return entry;
        }

        var itemId = entry.EntityType.ToLowerInvariant() + " " + entry.RecordId;
        return entry with { OldValues = Open(entry.OldValues, fields, keys, itemId), NewValues = Open(entry.NewValues, fields, keys, itemId) };
    }

    private static string? Open(string? json, IReadOnlyDictionary<string, string> fields, UserFieldKeys? keys, string itemId)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        var buffer = new ArrayBufferWriter<byte>(json.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                writer.WritePropertyName(property.Name);
                if (fields.TryGetValue(property.Name, out var field) && Ciphertext(property.Value) is { } ciphertext)
                {
                    if (keys is null)
                    {
                        writer.WriteStringValue(ProtectedFields.Erased);
                    }
                    else
                    {
                        WritePlain(writer, keys.Open(field, ciphertext, itemId));
                    }
                }
                else
                {
                    property.Value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static AttributeValue? Ciphertext(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String || !value.TryGetBytesFromBase64(out var bytes))
        {
            return null;
        }

        var candidate = new AttributeValue { B = new MemoryStream(bytes) };
        return FieldCipher.IsCiphertext(candidate) ? candidate : null;
    }

    /// <summary>As the audit function writes a plaintext value: S a string, N a number, M an object, L an array.</summary>
    private static void WritePlain(Utf8JsonWriter writer, AttributeValue value)
    {
        if (value.S is not null)
        {
            writer.WriteStringValue(value.S);
        }
        else if (value.N is not null)
        {
            writer.WriteRawValue(value.N, skipInputValidation: false);
        }
        else if (value.BOOL is { } flag)
        {
            writer.WriteBooleanValue(flag);
        }
        else if (value.M is not null)
        {
            writer.WriteStartObject();
            foreach (var (name, inner) in value.M.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(name);
                WritePlain(writer, inner);
            }

            writer.WriteEndObject();
        }
        else if (value.L is not null)
        {
            writer.WriteStartArray();
            value.L.ForEach(inner => WritePlain(writer, inner));
            writer.WriteEndArray();
        }
        else if (value.SS is not null)
        {
            writer.WriteStartArray();
            value.SS.ForEach(writer.WriteStringValue);
            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
