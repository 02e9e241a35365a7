using System.Buffers;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;

namespace Serverless.Streams.Audit;

/// <summary>
/// An image as the JSON object stored in an audit entry's old/new values: attribute name -&gt; plain JSON value
/// (S string, N number, B base64, sets and lists arrays, M object, NULL null, BOOL boolean), names sorted so a
/// replayed record produces the same text.
/// </summary>
public static class AuditValues
{
    /// <summary>
    /// Never copied: the password hash (a secret, even hashed), and the attributes that only place an item in the
    /// table and its indexes (keys, GSI keys, the normalized email key): the audit entry names the record already.
    /// </summary>
    public static IReadOnlySet<string> Excluded { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Attr.PasswordHash,
        Attr.PK,
        Attr.SK,
        Attr.Gsi1PK,
        Attr.Gsi1SK,
        Attr.EmailKey,
        Attr.YearMonth,
    };

    /// <returns>Null when there is no image.</returns>
    public static string? ToJson(IReadOnlyDictionary<string, AttributeValue>? image) =>
        image is null ? null : ToJson(image, image.Keys);

    /// <summary>Only <paramref name="names"/> of the image (those it has), for entries too large to hold whole images.</summary>
    public static string ToJson(IReadOnlyDictionary<string, AttributeValue> image, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(names);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var name in names.Where(n => !Excluded.Contains(n) && image.ContainsKey(n)).Order(StringComparer.Ordinal))
            {
                json.WritePropertyName(name);
                WriteValue(json, image[name]);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The names whose values differ between the images (present in one only, or unequal), excluded ones left out.</summary>
    public static IReadOnlyList<string> ChangedNames(IReadOnlyDictionary<string, AttributeValue>? oldImage, IReadOnlyDictionary<string, AttributeValue>? newImage)
    {
        var names = (oldImage?.Keys ?? []).Union(newImage?.Keys ?? [], StringComparer.Ordinal);
        return [.. names
            .Where(n => !Excluded.Contains(n))
            .Where(n => oldImage is null || newImage is null
                || !oldImage.ContainsKey(n) || !newImage.ContainsKey(n)
                || ToJson(oldImage, [n]) != ToJson(newImage, [n]))
            .Order(StringComparer.Ordinal)];
    }

    private static void WriteValue(Utf8JsonWriter json, AttributeValue value)
    {
        if (value.S is not null)
        {
            json.WriteStringValue(value.S);
        }
        else if (value.N is not null)
        {
            WriteNumber(json, value.N);
        }
        else if (value.B is not null)
        {
            json.WriteBase64StringValue(value.B.ToArray());
        }
        else if (value.SS is not null)
        {
            json.WriteStartArray();
            value.SS.ForEach(json.WriteStringValue);
            json.WriteEndArray();
        }
        else if (value.NS is not null)
        {
            json.WriteStartArray();
            value.NS.ForEach(n => WriteNumber(json, n));
            json.WriteEndArray();
        }
        else if (value.BS is not null)
        {
            json.WriteStartArray();
            value.BS.ForEach(b => json.WriteBase64StringValue(b.ToArray()));
            json.WriteEndArray();
        }
        else if (value.M is not null)
        {
            json.WriteStartObject();
            foreach (var (name, inner) in value.M.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                json.WritePropertyName(name);
                WriteValue(json, inner);
            }

            json.WriteEndObject();
        }
        else if (value.L is not null)
        {
            json.WriteStartArray();
            value.L.ForEach(inner => WriteValue(json, inner));
            json.WriteEndArray();
        }
        else if (value.BOOL is { } flag)
        {
            json.WriteBooleanValue(flag);
        }
        else
        {
            // NULL, or a value with no type at all: both read as "no value".
            json.WriteNullValue();
        }
    }

    /// <summary>
    /// DynamoDB numbers have up to 38 digits, more than double or decimal hold, so the digits are copied as they are.
    /// A form JSON does not allow (".5") is kept as a string rather than lost.
    /// </summary>
    private static void WriteNumber(Utf8JsonWriter json, string number)
    {
        if (IsJsonNumber(number))
        {
            json.WriteRawValue(number, skipInputValidation: true);
        }
        else
        {
            json.WriteStringValue(number);
        }
    }

    private static bool IsJsonNumber(string text)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.Number && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
