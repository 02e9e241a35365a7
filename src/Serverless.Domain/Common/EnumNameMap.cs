namespace Serverless.Domain;

/// <summary>
/// Two-way mapping between an enum and the names the seed spells (stored in items and sent over the API).
/// Built from an explicit table, not from reflection, so renaming a C# member never changes stored data
/// and Native AOT needs no metadata.
/// </summary>
public sealed class EnumNameMap<T> where T : struct, Enum
{
    private readonly Dictionary<T, string> _names;
    private readonly Dictionary<string, T> _values;

    public EnumNameMap(params (T Value, string Name)[] entries)
    {
        _names = entries.ToDictionary(e => e.Value, e => e.Name);
        // Ordinal: the seed's CHECK constraints compare exact spellings ("active", not "Active").
        _values = entries.ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
        Names = [.. entries.Select(e => e.Name)];
    }

    /// <summary>Every accepted name, in declaration order (for error messages and API docs).</summary>
    public IReadOnlyList<string> Names { get; }

    public bool IsDefined(T value) => _names.ContainsKey(value);

    public string Name(T value) =>
        _names.TryGetValue(value, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"{typeof(T).Name} has no name for this value.");

    public bool TryParse(string? name, out T value)
    {
        if (name is not null && _values.TryGetValue(name, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Parses a stored or received name; unknown names are a <see cref="FormatException"/>, whose message does not
    /// repeat the name (it can be any text an item or a client held, and messages reach logs).
    /// </summary>
    public T Parse(string name) =>
        TryParse(name, out var value)
            ? value
            : throw new FormatException($"A {typeof(T).Name} name is not one of: {string.Join(", ", Names)}.");
}
