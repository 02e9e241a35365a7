using System.Globalization;

namespace Serverless.Data.Items;

/// <summary>Typed, strict reads of one item's attributes; anything malformed is an <see cref="InvalidItemException"/> naming the item.</summary>
public readonly struct ItemReader(IReadOnlyDictionary<string, AttributeValue> item)
{
    public IReadOnlyDictionary<string, AttributeValue> Item { get; } = item;

    public bool Has(string name) => Item.TryGetValue(name, out var value) && !(value.NULL ?? false);

    public string String(string name) => OptionalString(name) ?? throw Missing(name);

    public string? OptionalString(string name)
    {
        if (!Item.TryGetValue(name, out var value) || (value.NULL ?? false))
        {
            return null;
        }

        return value.S ?? throw Invalid(name, "a string");
    }

    public Guid Guid(string name) =>
        System.Guid.TryParseExact(String(name), "D", out var id) ? id : throw Invalid(name, "a GUID");

    public Guid? OptionalGuid(string name) =>
        OptionalString(name) is { } text
            ? System.Guid.TryParseExact(text, "D", out var id) ? id : throw Invalid(name, "a GUID")
            : null;

    public long Long(string name) => OptionalLong(name) ?? throw Missing(name);

    public long? OptionalLong(string name)
    {
        var text = OptionalNumber(name);
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(name, "an integer");
    }

    public int Int(string name)
    {
        var value = Long(name);
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Invalid(name, "a 32-bit integer");
    }

    public decimal Decimal(string name)
    {
        var text = OptionalNumber(name) ?? throw Missing(name);
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(name, "a decimal");
    }

    public DateTimeOffset Time(string name) => OptionalTime(name) ?? throw Missing(name);

    public DateTimeOffset? OptionalTime(string name) =>
        OptionalLong(name) is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    public bool Bool(string name) =>
        Item.TryGetValue(name, out var value) && value.BOOL is { } flag ? flag : throw Invalid(name, "a boolean");

    public T Enum<T>(string name, EnumNameMap<T> names) where T : struct, Enum =>
        names.TryParse(String(name), out var value) ? value : throw Invalid(name, $"one of {string.Join(", ", names.Names)}");

    public Dictionary<string, AttributeValue> Map(string name) =>
        OptionalMap(name) ?? throw Missing(name);

    public Dictionary<string, AttributeValue>? OptionalMap(string name)
    {
        if (!Item.TryGetValue(name, out var value) || (value.NULL ?? false))
        {
            return null;
        }

        return value.M ?? throw Invalid(name, "a map");
    }

    public List<AttributeValue> List(string name)
    {
        if (!Item.TryGetValue(name, out var value) || (value.NULL ?? false))
        {
            return [];
        }

        return value.L ?? throw Invalid(name, "a list");
    }

    public Dictionary<string, string> StringMap(string name)
    {
        var map = OptionalMap(name);
        if (map is null)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        var result = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            // Named by the map, not by the entry: a map's keys are a client's text.
            result[key] = value.S ?? throw Invalid(name, "a map of strings");
        }

        return result;
    }

    /// <summary>Checks the item is of the expected type and returns its schema version.</summary>
    public int ExpectEntity(string entityType, int newestSchemaVersion)
    {
        var actual = String(Attr.EntityType);
        if (actual != entityType)
        {
            throw new InvalidItemException($"Item {Describe()} is a {actual}, not a {entityType}.");
        }

        var version = Int(Attr.SchemaVersion);
        if (version < 1 || version > newestSchemaVersion)
        {
            throw new InvalidItemException($"Item {Describe()} has schemaVersion {version}; this code reads 1 to {newestSchemaVersion}.");
        }

        return version;
    }

    private string? OptionalNumber(string name)
    {
        if (!Item.TryGetValue(name, out var value) || (value.NULL ?? false))
        {
            return null;
        }

        return value.N ?? throw Invalid(name, "a number");
    }

    /// <summary>
    /// The item by its entity type, never by its key: keys hold the values they are looked up by (an email marker's
    /// key is the address), and these messages reach logs.
    /// </summary>
    private string Describe() =>
        !Item.ContainsKey(Attr.PK) ? "(nested)"
        : Item.TryGetValue(Attr.EntityType, out var type) && type.S is { Length: > 0 and <= 64 } name && name.All(char.IsAsciiLetter) ? "of type " + name
        : "(of no known type)";

    private InvalidItemException Missing(string name) => new($"Item {Describe()} lacks the required attribute '{name}'.");

    private InvalidItemException Invalid(string name, string expected) => new($"Item {Describe()}: attribute '{name}' is not {expected}.");
}
