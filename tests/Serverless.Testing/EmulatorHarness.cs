using Serverless.Local.EventSourceMapping;
using Serverless.Local.Streams;
using Serverless.Local.Ttl;

namespace Serverless.Testing;

/// <summary>
/// The local event-source-mapping emulator (the one <c>serve</c> runs) feeding functions from a table's stream in the
/// test run's DynamoDB Local, with test-speed intervals; stopped on dispose.
/// </summary>
public sealed class EmulatorHarness : IAsyncDisposable
{
    private static readonly EventSourceMappingEmulatorOptions FastOptions = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(50),
        ShardDiscoveryInterval = TimeSpan.FromMilliseconds(100),
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaximumRetryDelay = TimeSpan.FromMilliseconds(50),
        UnavailableDelay = TimeSpan.FromMilliseconds(100),
        MaximumUnavailableDelay = TimeSpan.FromMilliseconds(800),
    };

    private readonly DynamoDbStreamsClient _streams;
    private readonly EventSourceMappingEmulator _emulator;

    private readonly HttpClient? _http;

    private EmulatorHarness(DynamoDbStreamsClient streams, EventSourceMappingEmulator emulator, HttpClient? http)
    {
        _streams = streams;
        _emulator = emulator;
        _http = http;
    }

    public static Task<EmulatorHarness> StartAsync(
        DynamoDbLocalFixture dynamo,
        StreamFunctionMapping mapping,
        CancellationToken ct,
        TtlDeletionLog? ttlDeletions = null,
        TimeProvider? clock = null,
        HttpMessageHandler? streamsHandler = null) =>
        StartAsync(dynamo, [mapping], ct, ttlDeletions, clock, streamsHandler);

    /// <summary>Several mappings in one emulator, as the local stack runs them: each reads the same stream on its own.</summary>
    /// <param name="streamsHandler">Carries the emulator's DynamoDB Streams requests (to record them); the default sends them as they are.</param>
    public static async Task<EmulatorHarness> StartAsync(
        DynamoDbLocalFixture dynamo,
        IEnumerable<StreamFunctionMapping> mappings,
        CancellationToken ct,
        TtlDeletionLog? ttlDeletions = null,
        TimeProvider? clock = null,
        HttpMessageHandler? streamsHandler = null)
    {
        // The handler stays the caller's; the client made over it is the harness's, disposed with it.
        var http = streamsHandler is null ? null : new HttpClient(streamsHandler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };
        var streams = http is null
            ? DynamoDbStreamsClient.ForLocal(dynamo.ServiceUrl)
            : new DynamoDbStreamsClient(dynamo.ServiceUrl, AwsCredentials.Local, "us-east-1", http);
        var emulator = new EventSourceMappingEmulator(dynamo.Client, streams, mappings, FastOptions, ttlDeletions, clock, TextWriter.Null);
        await emulator.StartAsync(ct);
        return new EmulatorHarness(streams, emulator, http);
    }

    /// <summary>GetRecords pages the mappings fetched, and pages one mapping took from another's read.</summary>
    public (long Fetched, long Shared) PageReads => _emulator.PageReads;

    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _streams.Dispose();
        _http?.Dispose();
    }
}
