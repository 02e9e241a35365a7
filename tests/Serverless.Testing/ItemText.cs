using System.Text;
using Amazon.DynamoDBv2.Model;

namespace Serverless.Testing;

/// <summary>
/// A canonical text form of items (attributes sorted, every type spelled out), so "the same data" can be checked
/// byte for byte and a difference shows up readably in the assertion message.
/// </summary>
public static class ItemText
{
    public static string Of(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var text = new StringBuilder();
        Append(text, new AttributeValue { M = new Dictionary<string, AttributeValue>(item) });
        return text.ToString();
    }

    /// <summary>Every item's canonical form, sorted, so two scans compare regardless of scan order.</summary>
    public static List<string> Sorted(IEnumerable<IReadOnlyDictionary<string, AttributeValue>> items) =>
        [.. items.Select(Of).Order(StringComparer.Ordinal)];

    private static void Append(StringBuilder text, AttributeValue value)
    {
        if (value.S is not null)
        {
            text.Append("S:").Append(System.Text.Json.JsonSerializer.Serialize(value.S));
        }
        else if (value.N is not null)
        {
            text.Append("N:").Append(value.N);
        }
        else if (value.BOOL is { } flag)
        {
            text.Append("BOOL:").Append(flag ? "true" : "false");
        }
        else if (value.M is not null)
        {
            text.Append('{');
            foreach (var (name, inner) in value.M.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                text.Append(System.Text.Json.JsonSerializer.Serialize(name)).Append('=');
                Append(text, inner);
                text.Append(',');
            }

            text.Append('}');
        }
        else if (value.L is not null)
        {
            text.Append('[');
            foreach (var inner in value.L)
            {
                Append(text, inner);
                text.Append(',');
            }

            text.Append(']');
        }
        else if (value.NULL ?? false)
        {
            text.Append("NULL");
        }
        else if (value.B is not null)
        {
            text.Append("B:").Append(Convert.ToBase64String(value.B.ToArray()));
        }
        else
        {
            throw new NotSupportedException("The seeded data uses only S, N, B, BOOL, M, L and NULL.");
        }
    }
}
