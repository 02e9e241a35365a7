namespace Serverless.Lambda.Metrics;

/// <summary>
/// The collector of the invocation running on this async flow, as <see cref="Logging.LambdaLogContext"/> carries the
/// invocation to loggers: the runtime loop sets it, code anywhere below records into it, and outside an invocation
/// (the local stack, a test without one) recording is a no-op.
/// </summary>
public static class InvocationMetrics
{
    private static readonly AsyncLocal<MetricsCollector?> CurrentCollector = new();

    public static MetricsCollector? Current => CurrentCollector.Value;

    /// <summary>Makes <paramref name="collector"/> the current one until the returned scope is disposed.</summary>
    public static IDisposable Begin(MetricsCollector collector)
    {
        ArgumentNullException.ThrowIfNull(collector);
        var previous = CurrentCollector.Value;
        CurrentCollector.Value = collector;
        return new Restore(previous);
    }

    /// <summary>Records into the current invocation's collector, if there is one.</summary>
    public static void Add(string name, string unit, double value, ReadOnlySpan<KeyValuePair<string, string?>> dimensions = default) =>
        Current?.Add(name, unit, value, dimensions);

    private sealed class Restore(MetricsCollector? previous) : IDisposable
    {
        public void Dispose() => CurrentCollector.Value = previous;
    }
}
