namespace Serverless.Lambda.Logging;

/// <summary>The invocation a log line belongs to.</summary>
public sealed record InvocationLogState(string RequestId, string? TraceId, bool ColdStart);

/// <summary>
/// Carries the current invocation to every logger in the process. An async-local rather than a logger scope,
/// because the bootstrap loop and the hosted app log through different logger factories.
/// </summary>
public static class LambdaLogContext
{
    private static readonly AsyncLocal<InvocationLogState?> CurrentState = new();

    public static InvocationLogState? Current => CurrentState.Value;

    public static IDisposable Begin(string requestId, string? traceId, bool coldStart)
    {
        var previous = CurrentState.Value;
        CurrentState.Value = new InvocationLogState(requestId, traceId, coldStart);
        return new Restore(previous);
    }

    private sealed class Restore(InvocationLogState? previous) : IDisposable
    {
        public void Dispose() => CurrentState.Value = previous;
    }
}
