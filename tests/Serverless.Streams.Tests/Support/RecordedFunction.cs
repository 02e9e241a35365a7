using System.Collections.Concurrent;
using Serverless.Lambda.Events;
using Serverless.Lambda.Runtime;
using Serverless.Testing.Lambda;

namespace Serverless.Streams.Tests.Support;

/// <summary>
/// A function as the emulator calls it (event bytes in, response bytes out), keeping every event and response so a
/// test can replay exactly what Lambda would have delivered.
/// </summary>
internal sealed class RecordedFunction(ILambdaFunction function)
{
    private readonly ConcurrentQueue<Invocation> _invocations = new();

    public ILambdaFunction Function { get; } = function;

    public IReadOnlyList<Invocation> Invocations => [.. _invocations];

    public async Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var response = await Function.InvokeMeteredAsync(payload, ct);
        _invocations.Enqueue(new Invocation(payload.ToArray(), response.ToArray()));
        return response;
    }

    /// <summary>
    /// Whether a batch holding a record of the item with this partition key has been answered. A shard delivers in
    /// order and one batch at a time, so by then every earlier change has been handled too, even by a function that
    /// handles a batch's records concurrently.
    /// </summary>
    public bool HasAnswered(string partitionKey) =>
        Invocations.Any(i => i.Event.Records.Any(r => r.Dynamodb?.Keys?.GetValueOrDefault("PK")?.S == partitionKey));

    /// <summary>Every record delivered so far, in delivery order (a retried record appears once per delivery).</summary>
    public IReadOnlyList<DynamoDBEventRecord> Records => [.. Invocations.SelectMany(i => i.Event.Records)];

    public sealed record Invocation(byte[] Payload, byte[] Response)
    {
        public DynamoDBEvent Event => LambdaEventSerializer.Deserialize(Payload, LambdaJsonContext.Default.DynamoDBEvent);

        public StreamsEventResponse Answer => LambdaEventSerializer.Deserialize(Response, LambdaJsonContext.Default.StreamsEventResponse);
    }
}
