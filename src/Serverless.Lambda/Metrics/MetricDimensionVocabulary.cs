namespace Serverless.Lambda.Metrics;

/// <summary>
/// The fixed list of dimension names and, for each, the closed set of values it may take. A metric dimension is a
/// CloudWatch time series of its own (billed per series, kept for 15 months), so a value drawn from a request (an id,
/// an email, a path) would create one series per user and could put personal data into CloudWatch metrics, where it
/// cannot be deleted. Nothing outside this list ever becomes a dimension.
/// </summary>
public sealed class MetricDimensionVocabulary
{
    /// <summary>CloudWatch's own limits on a dimension's name and value.</summary>
    public const int MaxNameLength = 255;

    public const int MaxValueLength = 1024;

    private readonly Dictionary<string, HashSet<string>> allowed;

    private MetricDimensionVocabulary(Dictionary<string, HashSet<string>> allowed) => this.allowed = allowed;

    public static MetricDimensionVocabulary Empty { get; } = new(new Dictionary<string, HashSet<string>>(StringComparer.Ordinal));

    /// <summary>The names the vocabulary knows.</summary>
    public IEnumerable<string> Names => allowed.Keys;

    /// <summary>The vocabulary from names and their values; a name given twice takes the union of its values.</summary>
    /// <exception cref="ArgumentException">A name or value that CloudWatch would not accept (empty, too long, not ASCII).</exception>
    public static MetricDimensionVocabulary From(IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        var allowed = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (name, values) in dimensions)
        {
            Check(name, MaxNameLength, "name");
            if (!allowed.TryGetValue(name, out var set))
            {
                allowed[name] = set = new HashSet<string>(StringComparer.Ordinal);
            }

            foreach (var value in values)
            {
                Check(value, MaxValueLength, "value");
                set.Add(value);
            }
        }

        return new MetricDimensionVocabulary(allowed);
    }

    /// <summary>This vocabulary and another's names and values.</summary>
    public MetricDimensionVocabulary With(IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        return From(allowed.Select(d => new KeyValuePair<string, IReadOnlyCollection<string>>(d.Key, d.Value)).Concat(dimensions));
    }

    public bool Allows(string name, string? value) =>
        value is not null && allowed.TryGetValue(name, out var values) && values.Contains(value);

    /// <summary>Why the pair is refused, naming the dimension but never the value (which may be the very thing to keep out).</summary>
    internal string Refusal(string name, string? value) =>
        !allowed.ContainsKey(name)
            ? $"The metric dimension '{Describe(name)}' is not in the fixed vocabulary."
            : $"A value of the metric dimension '{name}' ({(value is null ? "null" : $"{value.Length} characters")}) is not one of its fixed values.";

    private static string Describe(string name) => name.Length <= 64 && name.All(char.IsAsciiLetterOrDigit) ? name : $"{name.Length} characters";

    private static void Check(string text, int maxLength, string what)
    {
        // Non-ASCII and control characters are refused by CloudWatch in dimensions; keep the list to what it takes.
        if (string.IsNullOrEmpty(text) || text.Length > maxLength || text.Any(c => c is < ' ' or > '~') || text[0] == ':')
        {
            throw new ArgumentException($"A metric dimension {what} must be 1 to {maxLength} printable ASCII characters, not starting with ':'.", nameof(text));
        }
    }
}
