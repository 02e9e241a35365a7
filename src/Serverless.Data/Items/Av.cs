using System.Globalization;

namespace Serverless.Data.Items;

/// <summary>Builds attribute values in the table's conventions: numbers in invariant culture, times as epoch ms.</summary>
public static class Av
{
    public static AttributeValue S(string value) => new() { S = value };

    public static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    /// <summary>Exactly the decimal's digits ("12.50" stays 12.50): no binary floating point on the way.</summary>
    public static AttributeValue N(decimal value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    public static AttributeValue Bool(bool value) => new() { BOOL = value };

    /// <summary>Epoch milliseconds: sortable, compact, and what the CreatedDateIndex sort key expects.</summary>
    public static AttributeValue Time(DateTimeOffset value) => N(value.ToUnixTimeMilliseconds());

    /// <summary>Epoch seconds: the unit DynamoDB's TTL reads.</summary>
    public static AttributeValue EpochSeconds(DateTimeOffset value) => N(value.ToUnixTimeSeconds());

    public static AttributeValue Guid(Guid value) => S(value.ToString("D"));

    public static AttributeValue Map(Dictionary<string, AttributeValue> value) => new() { M = value };

    public static AttributeValue List(List<AttributeValue> value) => new() { L = value };

    /// <summary>A string map (metadata, preferences) as M of S; always present, possibly empty, so the shape is stable.</summary>
    public static AttributeValue StringMap(IReadOnlyDictionary<string, string>? value) =>
        Map((value ?? new Dictionary<string, string>()).ToDictionary(e => e.Key, e => S(e.Value), StringComparer.Ordinal));

    /// <summary>Adds the attribute only when there is a value: absent attributes cost nothing and keep sparse indexes sparse.</summary>
    public static void AddIfNotNull(this Dictionary<string, AttributeValue> item, string name, string? value)
    {
        if (value is not null)
        {
            item[name] = S(value);
        }
    }

    public static void AddIfNotNull(this Dictionary<string, AttributeValue> item, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            item[name] = Time(time);
        }
    }
}
