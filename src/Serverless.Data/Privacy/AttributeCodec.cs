using System.Buffers;
using System.Text.Json;

namespace Serverless.Data.Privacy;

/// <summary>
/// An attribute value as the bytes a field ciphertext holds: DynamoDB's JSON form (<c>{"S":"..."}</c>, <c>{"M":{...}}</c>,
/// ...), written and read without reflection. Map entries are written in name order, so one value has one encoding.
/// </summary>
internal static class AttributeCodec
{
    public static byte[] Encode(AttributeValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, value);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="FormatException">Not the codec's encoding.</exception>
    public static AttributeValue Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            return Read(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new FormatException("A decrypted field is not an attribute value.", e);
        }
    }

    private static void Write(Utf8JsonWriter json, AttributeValue value)
    {
        json.WriteStartObject();
        if (value.S is not null)
        {
            json.WriteString("S", value.S);
        }
        else if (value.N is not null)
        {
            json.WriteString("N", value.N);
        }
        else if (value.BOOL is { } flag)
        {
            json.WriteBoolean("BOOL", flag);
        }
        else if (value.M is not null)
        {
            json.WriteStartObject("M");
            foreach (var (name, inner) in value.M.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                json.WritePropertyName(name);
                Write(json, inner);
            }

            json.WriteEndObject();
        }
        else if (value.L is not null)
        {
            json.WriteStartArray("L");
            foreach (var inner in value.L)
            {
                Write(json, inner);
            }

            json.WriteEndArray();
        }
        else if (value.SS is not null)
        {
            json.WriteStartArray("SS");
            value.SS.ForEach(json.WriteStringValue);
            json.WriteEndArray();
        }
        else if (value.B is not null)
        {
            json.WriteBase64String("B", value.B.ToArray());
        }
        else
        {
            json.WriteBoolean("NULL", true);
        }

        json.WriteEndObject();
    }

    private static AttributeValue Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("An attribute value is an object.");
        }

        foreach (var property in element.EnumerateObject())
        {
            return property.Name switch
            {
                "S" => new AttributeValue { S = property.Value.GetString() },
                "N" => new AttributeValue { N = property.Value.GetString() },
                "BOOL" => new AttributeValue { BOOL = property.Value.GetBoolean() },
                "NULL" => new AttributeValue { NULL = true },
                "B" => new AttributeValue { B = new MemoryStream(property.Value.GetBytesFromBase64()) },
                "SS" => new AttributeValue { SS = [.. property.Value.EnumerateArray().Select(e => e.GetString()!)] },
                "L" => new AttributeValue { L = [.. property.Value.EnumerateArray().Select(Read)] },
                "M" => new AttributeValue { M = property.Value.EnumerateObject().ToDictionary(p => p.Name, p => Read(p.Value), StringComparer.Ordinal) },
                _ => throw new FormatException($"Unknown attribute type {property.Name}."),
            };
        }

        throw new FormatException("An attribute value has a type.");
    }
}
