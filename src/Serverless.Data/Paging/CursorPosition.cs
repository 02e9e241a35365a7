namespace Serverless.Data.Paging;

/// <summary>Turns a Query's LastEvaluatedKey into a cursor position and back (key attributes are only ever S or N).</summary>
public static class CursorPosition
{
    private const string StringTag = "S:";
    private const string NumberTag = "N:";

    public static Dictionary<string, string> FromKey(IReadOnlyDictionary<string, AttributeValue> key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ToDictionary(
            e => e.Key,
            e => e.Value.S is { } s ? StringTag + s
                : e.Value.N is { } n ? NumberTag + n
                : throw new ArgumentException($"Key attribute '{e.Key}' is neither S nor N.", nameof(key)),
            StringComparer.Ordinal);
    }

    /// <summary>The ExclusiveStartKey for the next Query; <paramref name="expectedNames"/> guards against a cursor of another shape.</summary>
    public static Dictionary<string, AttributeValue> ToKey(IReadOnlyDictionary<string, string> position, params string[] expectedNames)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(expectedNames);
        if (position.Count != expectedNames.Length || expectedNames.Any(n => !position.ContainsKey(n)))
        {
            throw new InvalidCursorException("The cursor does not fit this query.");
        }

        return position.ToDictionary(
            e => e.Key,
            e => e.Value.StartsWith(StringTag, StringComparison.Ordinal) ? new AttributeValue { S = e.Value[StringTag.Length..] }
                : e.Value.StartsWith(NumberTag, StringComparison.Ordinal) ? new AttributeValue { N = e.Value[NumberTag.Length..] }
                : throw new InvalidCursorException("The cursor does not fit this query."),
            StringComparer.Ordinal);
    }
}
