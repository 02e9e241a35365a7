namespace Serverless.Lambda.Logging;

/// <summary>The invocation a log line belongs to.</summary>
public sealed record InvocationLogState(string RequestId, string? TraceId, bool ColdStart)
{
    /// <summary>Its sampling decision and buffered lines; the same object for every logger, ended with the invocation.</summary>
    internal InvocationLogBuffer Logging { get; } = new();

    /// <summary>The trace header's Root, as every line of the invocation writes it (<c>xray_trace_id</c>): read once, not per line.</summary>
    internal string? XRayRoot { get; } = LambdaJsonLoggerProvider.XRayRoot(TraceId);
}

/// <summary>The stream record being handled: its <c>eventID</c> (written as <c>correlation_id</c>) and sequence number.</summary>
public sealed record RecordLogState(string? EventId, string? SequenceNumber);

/// <summary>
/// Carries the current invocation (and, in a stream function, the record being handled) to every logger in the
/// process. An async-local rather than a logger scope, because the bootstrap loop, the hosted app and a stream
/// function log through different logger factories.
/// </summary>
public static class LambdaLogContext
{
    private static readonly AsyncLocal<InvocationLogState?> CurrentState = new();
    private static readonly AsyncLocal<RecordLogState?> CurrentRecordState = new();

    public static InvocationLogState? Current => CurrentState.Value;

    /// <summary>The stream record being handled on this async flow, if any.</summary>
    public static RecordLogState? CurrentRecord => CurrentRecordState.Value;

    /// <summary>
    /// Starts an invocation's logging: a fresh sampling decision and an empty buffer. Disposing it ends the
    /// invocation: what is still buffered is discarded (it ended cleanly, or its error already wrote the buffer).
    /// </summary>
    public static IDisposable Begin(string requestId, string? traceId, bool coldStart)
    {
        var previous = CurrentState.Value;
        var state = new InvocationLogState(requestId, traceId, coldStart);
        CurrentState.Value = state;
        return new Restore(previous, state);
    }

    /// <summary>Marks every line written on this flow until disposed as written while the record was handled.</summary>
    public static IDisposable BeginRecord(string? eventId, string? sequenceNumber)
    {
        var previous = CurrentRecordState.Value;
        CurrentRecordState.Value = new RecordLogState(eventId, sequenceNumber);
        return new RestoreRecord(previous);
    }

    /// <summary>
    /// Writes the current invocation's buffered lines now, as an error line would (Powertools' <c>FlushBuffer</c>);
    /// nothing outside an invocation or with buffering off.
    /// </summary>
    public static void FlushBuffer()
    {
        if (CurrentState.Value is { } state)
        {
            LambdaJsonLoggerProvider.Flush(state.Logging, writer: null);
        }
    }

    private sealed class Restore(InvocationLogState? previous, InvocationLogState state) : IDisposable
    {
        public void Dispose()
        {
            state.Logging.End();
            CurrentState.Value = previous;
        }
    }

    private sealed class RestoreRecord(RecordLogState? previous) : IDisposable
    {
        public void Dispose() => CurrentRecordState.Value = previous;
    }
}
