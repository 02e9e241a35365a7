namespace Serverless.Lambda.Runtime;

/// <summary>Builds one function of the executable; runs during Lambda's init phase.</summary>
public delegate ValueTask<ILambdaFunction> LambdaFunctionFactory<in TOptions>(TOptions options, CancellationToken cancellationToken);

/// <summary>
/// Handler name (the template's <c>Handler</c>, Lambda's <c>_HANDLER</c>) to function factory. Immutable once built,
/// so the Lambda executable and local tools share one list without shared mutable state.
/// </summary>
public sealed class FunctionRegistry<TOptions>
{
    private readonly Dictionary<string, LambdaFunctionFactory<TOptions>> factories;

    public FunctionRegistry(IEnumerable<KeyValuePair<string, LambdaFunctionFactory<TOptions>>> entries)
    {
        factories = new Dictionary<string, LambdaFunctionFactory<TOptions>>(entries, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Names => factories.Keys;

    public bool Contains(string handler) => factories.ContainsKey(handler);

    /// <exception cref="UnknownHandlerException">No function has that name.</exception>
    public ValueTask<ILambdaFunction> CreateAsync(string? handler, TOptions options, CancellationToken cancellationToken)
    {
        if (handler is null || !factories.TryGetValue(handler, out var factory))
        {
            throw new UnknownHandlerException(handler, factories.Keys.Order(StringComparer.Ordinal));
        }

        return factory(options, cancellationToken);
    }
}
