using Amazon.DynamoDBv2;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Streams;
using Serverless.Local.Ttl;

namespace Serverless.Local.Tests.Support;

/// <summary>Runs the emulator for one mapping (or several) with test-speed intervals, and stops it on dispose.</summary>
internal sealed class EmulatorHarness : IAsyncDisposable
{
    public static readonly EventSourceMappingEmulatorOptions FastOptions = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(50),
        ShardDiscoveryInterval = TimeSpan.FromMilliseconds(100),
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaximumRetryDelay = TimeSpan.FromMilliseconds(50),
        UnavailableDelay = TimeSpan.FromMilliseconds(100),
    };

    private readonly DynamoDbStreamsClient _streams;
    private readonly EventSourceMappingEmulator _emulator;

    private EmulatorHarness(DynamoDbStreamsClient streams, EventSourceMappingEmulator emulator)
    {
        _streams = streams;
        _emulator = emulator;
    }

    public static Task<EmulatorHarness> StartAsync(
        IAmazonDynamoDB client,
        Uri serviceUrl,
        StreamFunctionMapping mapping,
        CancellationToken ct,
        TtlDeletionLog? ttl = null,
        TimeProvider? clock = null) =>
        StartAsync(client, serviceUrl, [mapping], ct, ttl, clock);

    /// <summary>Several mappings in one emulator, as the local stack runs them: each reads the same stream on its own.</summary>
    public static async Task<EmulatorHarness> StartAsync(
        IAmazonDynamoDB client,
        Uri serviceUrl,
        IReadOnlyList<StreamFunctionMapping> mappings,
        CancellationToken ct,
        TtlDeletionLog? ttl = null,
        TimeProvider? clock = null)
    {
        var streams = DynamoDbStreamsClient.ForLocal(serviceUrl);
        var emulator = new EventSourceMappingEmulator(client, streams, mappings, FastOptions, ttl, clock, new StringWriter());
        await emulator.StartAsync(ct);
        return new EmulatorHarness(streams, emulator);
    }

    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _streams.Dispose();
    }
}

/// <summary>The system clock moved by a fixed offset: makes every record look old without waiting.</summary>
internal sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
