using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;

namespace Serverless.Data.Tests.Support;

/// <summary>An item in DynamoDB's JSON form ({"S": ...}, {"N": ...}), keys sorted, so a stored shape diffs well.</summary>
internal static class ItemJson
{
    public static string Render(IReadOnlyDictionary<string, AttributeValue> item)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteMap(writer, item);
        }

        return Encoding.UTF8.GetString(stream.ToArray()).ReplaceLineEndings("\n") + "\n";
    }

    private static void WriteMap(Utf8JsonWriter writer, IReadOnlyDictionary<string, AttributeValue> map)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in map.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, AttributeValue value)
    {
        writer.WriteStartObject();
        if (value.S is not null)
        {
            writer.WriteString("S", value.S);
        }
        else if (value.N is not null)
        {
            writer.WriteString("N", value.N);
        }
        else if (value.BOOL is { } flag)
        {
            writer.WriteBoolean("BOOL", flag);
        }
        else if (value.M is not null)
        {
            writer.WritePropertyName("M");
            WriteMap(writer, value.M);
        }
        else if (value.L is not null)
        {
            writer.WriteStartArray("L");
            foreach (var element in value.L)
            {
                WriteValue(writer, element);
            }

            writer.WriteEndArray();
        }
        else if (value.B is not null)
        {
            // Ciphertext and keys: random bytes, so only their presence and length are pinned.
            writer.WriteString("B", $"<{value.B.Length} bytes>");
        }
        else
        {
            throw new NotSupportedException("The table stores only S, N, B, BOOL, M and L.");
        }

        writer.WriteEndObject();
    }
}
