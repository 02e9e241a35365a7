namespace Serverless.Domain;

/// <summary>The checks of one rule set: every broken rule of <typeparamref name="T"/> goes into the collector.</summary>
public interface IRuleSet<in T>
{
    static abstract void Check(T value, FieldErrorCollector errors);
}

/// <summary>
/// <c>Validate</c> and <c>EnsureValid</c>, written once for every rule set: <c>XRules</c> derives from this with itself
/// as <typeparamref name="TRules"/> and writes only its <see cref="IRuleSet{T}.Check"/>.
/// </summary>
public abstract class Rules<T, TRules>
    where T : class
    where TRules : Rules<T, TRules>, IRuleSet<T>
{
    private protected Rules()
    {
    }

    /// <summary>Every broken rule of <paramref name="value"/>; empty when it is valid.</summary>
    public static IReadOnlyList<FieldError> Validate(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var errors = new FieldErrorCollector();
        TRules.Check(value, errors);
        return errors.Errors;
    }

    /// <summary>Throws a <see cref="ValidationException"/> listing every broken rule.</summary>
    public static void EnsureValid(T value) => ValidationException.ThrowIfAny(Validate(value));
}
