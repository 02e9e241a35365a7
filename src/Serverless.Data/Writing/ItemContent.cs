using System.Globalization;

namespace Serverless.Data.Writing;

/// <summary>
/// Whether a write would change anything, judged on stored items rather than on entities: records holding
/// dictionaries and lists do not compare by value, but their items do, attribute by attribute. Used by the
/// repositories to skip writes that change nothing, and by the audit function to recognise a write that only
/// stamped who is about to delete the item.
/// </summary>
public static class ItemContent
{
    /// <summary>What every write sets whether or not it changes anything: the new version, its time and its writer.</summary>
    public static IReadOnlySet<string> WriteStamps { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Attr.Version,
        Attr.UpdatedAt,
        Attr.LastWriter,
    };

    /// <summary>True when both items hold the same attributes with equal values, the <see cref="WriteStamps"/> aside.</summary>
    public static bool Same(IReadOnlyDictionary<string, AttributeValue>? before, IReadOnlyDictionary<string, AttributeValue>? after)
    {
        if (before is null || after is null)
        {
            return before is null && after is null;
        }

        var names = before.Keys.Where(n => !WriteStamps.Contains(n)).ToHashSet(StringComparer.Ordinal);
        var otherNames = after.Keys.Where(n => !WriteStamps.Contains(n)).ToHashSet(StringComparer.Ordinal);
        return names.SetEquals(otherNames) && names.All(n => Equal(before[n], after[n]));
    }

    /// <summary>Value equality as DynamoDB sees it: numbers by value ("5" equals "5.00"), sets in any order, maps by key, lists in order.</summary>
    public static bool Equal(AttributeValue? a, AttributeValue? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a.S is not null || b.S is not null)
        {
            return string.Equals(a.S, b.S, StringComparison.Ordinal);
        }

        if (a.N is not null || b.N is not null)
        {
            return a.N is not null && b.N is not null && NumbersEqual(a.N, b.N);
        }

        if (a.B is not null || b.B is not null)
        {
            return a.B is not null && b.B is not null && a.B.ToArray().AsSpan().SequenceEqual(b.B.ToArray());
        }

        if (a.SS is not null || b.SS is not null)
        {
            return a.SS is not null && b.SS is not null && a.SS.ToHashSet(StringComparer.Ordinal).SetEquals(b.SS);
        }

        if (a.NS is not null || b.NS is not null)
        {
            return a.NS is not null && b.NS is not null && a.NS.Count == b.NS.Count
                && a.NS.All(x => b.NS.Any(y => NumbersEqual(x, y)));
        }

        if (a.BS is not null || b.BS is not null)
        {
            return a.BS is not null && b.BS is not null
                && a.BS.Select(Base64).ToHashSet(StringComparer.Ordinal).SetEquals(b.BS.Select(Base64));
        }

        if (a.M is not null || b.M is not null)
        {
            return a.M is not null && b.M is not null && a.M.Count == b.M.Count
                && a.M.All(e => b.M.TryGetValue(e.Key, out var other) && Equal(e.Value, other));
        }

        if (a.L is not null || b.L is not null)
        {
            return a.L is not null && b.L is not null && a.L.Count == b.L.Count
                && a.L.Zip(b.L).All(pair => Equal(pair.First, pair.Second));
        }

        if (a.BOOL is not null || b.BOOL is not null)
        {
            return a.BOOL == b.BOOL;
        }

        // NULL, or no value at all: both read as "no value".
        return true;
    }

    /// <summary>
    /// DynamoDB stores numbers by value, so what we write as "12.50" reads back as "12.5". Decimal holds every number
    /// we write; beyond its range (DynamoDB allows 38 digits) the digits are compared as written.
    /// </summary>
    private static bool NumbersEqual(string a, string b) =>
        decimal.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
        && decimal.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y)
            ? x == y
            : string.Equals(a, b, StringComparison.Ordinal);

    private static string Base64(MemoryStream bytes) => Convert.ToBase64String(bytes.ToArray());
}
