using Serverless.Local.EventSourceMapping;
using Serverless.Local.Streams;
using Serverless.Local.Ttl;
using Serverless.Testing;

namespace Serverless.Streams.Tests.Support;

/// <summary>
/// The local event source mapping feeding functions from a test table's stream, as Lambda would (test-speed polling),
/// with the settings the template gives the stream functions: partial batch responses, bisect, bounded retries.
/// </summary>
internal sealed class Emulation : IAsyncDisposable
{
    private static readonly EventSourceMappingEmulatorOptions FastOptions = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(50),
        ShardDiscoveryInterval = TimeSpan.FromMilliseconds(100),
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaximumRetryDelay = TimeSpan.FromMilliseconds(50),
        UnavailableDelay = TimeSpan.FromMilliseconds(100),
    };

    private readonly DynamoDbStreamsClient _streams;
    private readonly EventSourceMappingEmulator _emulator;

    private Emulation(DynamoDbStreamsClient streams, EventSourceMappingEmulator emulator)
    {
        _streams = streams;
        _emulator = emulator;
    }

    public static EventSourceMappingSettings Settings(string functionName) => new()
    {
        FunctionName = functionName,
        BatchSize = 100,
        ReportBatchItemFailures = true,
        BisectBatchOnFunctionError = true,
        MaximumRetryAttempts = 2,
    };

    public static async Task<Emulation> StartAsync(
        DynamoDbLocalFixture dynamo,
        string tableName,
        IEnumerable<(RecordedFunction Function, EventSourceMappingSettings Settings)> mappings,
        CancellationToken ct,
        TtlDeletionLog? ttlDeletions = null,
        IOnFailureDestination? onFailure = null)
    {
        var streams = DynamoDbStreamsClient.ForLocal(dynamo.ServiceUrl);
        var emulator = new EventSourceMappingEmulator(
            dynamo.Client,
            streams,
            mappings.Select(m => new StreamFunctionMapping(m.Settings, tableName, m.Function.InvokeAsync, onFailure)),
            FastOptions,
            ttlDeletions);
        await emulator.StartAsync(ct);
        return new Emulation(streams, emulator);
    }

    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _streams.Dispose();
    }
}
