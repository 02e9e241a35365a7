namespace Serverless.Local.EventSourceMapping;

/// <summary>
/// One function fed by one table's stream. <see cref="Function"/> is the function boundary: the event JSON in, the
/// function's response JSON out; a thrown exception is a function error, as Lambda sees an unhandled one.
/// </summary>
/// <param name="Settings">The event source mapping's settings (usually from <see cref="SamTemplateLoader"/>).</param>
/// <param name="TableName">The local table whose latest stream is read.</param>
/// <param name="Function">Invokes the function with the raw event payload and returns its raw response.</param>
/// <param name="OnFailure">Where batches that are given up go; null drops them (after a log line), as Lambda does without a destination.</param>
public sealed record StreamFunctionMapping(
    EventSourceMappingSettings Settings,
    string TableName,
    Func<ReadOnlyMemory<byte>, CancellationToken, Task<ReadOnlyMemory<byte>>> Function,
    IOnFailureDestination? OnFailure = null);
