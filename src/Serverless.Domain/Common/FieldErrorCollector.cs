using System.Globalization;

namespace Serverless.Domain;

/// <summary>
/// Gathers every broken rule of one input so the caller learns all of them at once.
/// Field names are camelCase JSON paths (<c>addresses[1].city</c>), matching what the API receives.
/// </summary>
public sealed class FieldErrorCollector
{
    private readonly List<FieldError> _errors = [];

    public IReadOnlyList<FieldError> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    public void Add(string field, string message) => _errors.Add(new FieldError(field, message));

    public void Required(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required.");
        }
    }

    /// <summary>
    /// The <see cref="TextRule"/> every string field obeys; true when <paramref name="value"/> is null or obeys it, so a
    /// caller can skip format checks that would only repeat the problem.
    /// </summary>
    public bool Text(string field, string? value, TextKind kind = TextKind.SingleLine)
    {
        if (TextRule.Problem(value, kind) is { } problem)
        {
            Add(field, problem);
            return false;
        }

        return true;
    }

    /// <summary>An optional string: text by <see cref="TextRule"/> and at most <paramref name="max"/> characters.</summary>
    public void MaxLength(string field, string? value, int max = Limits.MaxString, TextKind kind = TextKind.SingleLine)
    {
        Text(field, value, kind);
        if (value is not null && value.Length > max)
        {
            Add(field, $"must be at most {max} characters.");
        }
    }

    /// <summary>Required and at most <paramref name="max"/> characters: the seed's <c>VARCHAR(n) NOT NULL</c>, as text by <see cref="TextRule"/>.</summary>
    public void RequiredString(string field, string? value, int max = Limits.MaxString, TextKind kind = TextKind.SingleLine)
    {
        Required(field, value);
        MaxLength(field, value, max, kind);
    }

    public void NotEmpty(string field, Guid value)
    {
        if (value == Guid.Empty)
        {
            Add(field, "is required.");
        }
    }

    public void Defined<T>(string field, T value, EnumNameMap<T> names) where T : struct, Enum
    {
        if (!names.IsDefined(value))
        {
            Add(field, $"must be one of: {string.Join(", ", names.Names)}.");
        }
    }

    /// <summary>decimal(10,2) and never negative: balances, prices, totals.</summary>
    public void Money(string field, decimal value)
    {
        if (value < 0)
        {
            Add(field, "must not be negative.");
        }
        else if (value > Limits.MaxMoney)
        {
            Add(field, $"must be at most {Limits.MaxMoney.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (decimal.Round(value, Limits.MoneyScale) != value)
        {
            Add(field, $"must have at most {Limits.MoneyScale} decimal places.");
        }
    }

    /// <summary>
    /// Bounded string maps (metadata, preferences): few entries, short keys and values; keys are one line of text,
    /// values free text (see <see cref="TextRule"/>).
    /// </summary>
    public void StringMap(string field, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null)
        {
            return;
        }

        if (map.Count > Limits.MaxMapEntries)
        {
            Add(field, $"must have at most {Limits.MaxMapEntries} entries.");
        }

        foreach (var (key, value) in map)
        {
            var path = $"{field}.{key}";
            if (string.IsNullOrWhiteSpace(key))
            {
                Add(field, "keys must not be empty.");
            }
            else if (TextRule.Problem(key) is { } keyProblem)
            {
                // Named by the map, not by the key: the path would carry the very characters refused.
                Add(field, "keys " + keyProblem);
            }
            else if (key.Length > Limits.MaxString)
            {
                Add(field, $"keys must be at most {Limits.MaxString} characters.");
            }
            else if (value is null)
            {
                Add(path, "must not be null.");
            }
            else
            {
                // A map is the client's own document (the seed's JSONB): its values may break lines, its keys may not.
                MaxLength(path, value, kind: TextKind.MultiLine);
            }
        }
    }

    /// <summary>Throws a <see cref="ValidationException"/> carrying every error, if there is any.</summary>
    public void ThrowIfAny()
    {
        if (HasErrors)
        {
            throw new ValidationException(_errors);
        }
    }
}
