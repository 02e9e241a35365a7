using Amazon.DynamoDBv2;
using Serverless.Local.Streams;
using Serverless.Local.Ttl;

namespace Serverless.Local.EventSourceMapping;

/// <summary>
/// Lambda's DynamoDB event source mapping, locally: for every mapping it reads the table's latest stream, shard by
/// shard in lineage order, and invokes the function with the event JSON Lambda would send, applying the mapping's
/// batching, filtering, partial-failure, bisect, retry, record-age and on-failure settings. Each mapping reads the
/// stream independently, at its own pace, as separate mappings do in AWS; a page one mapping has read is handed to
/// the others that reach the same place (<see cref="ShardPageCache"/>), so the stream is not read once per mapping.
/// </summary>
public sealed class EventSourceMappingEmulator : IAsyncDisposable
{
    private readonly IAmazonDynamoDB _dynamo;
    private readonly DynamoDbStreamsClient _streams;
    private readonly IReadOnlyList<StreamFunctionMapping> _mappings;
    private readonly EventSourceMappingEmulatorOptions _options;
    private readonly TtlDeletionLog? _ttlDeletions;
    private readonly TimeProvider _clock;
    private readonly TextWriter _log;
    private readonly ShardPageCache _pages = new();
    private CancellationTokenSource? _stop;
    private Task? _running;

    /// <summary>GetRecords calls the mappings made, and pages one mapping took from another's read.</summary>
    public (long Fetched, long Shared) PageReads => (_pages.Fetched, _pages.Shared);

    public EventSourceMappingEmulator(
        IAmazonDynamoDB dynamo,
        DynamoDbStreamsClient streams,
        IEnumerable<StreamFunctionMapping> mappings,
        EventSourceMappingEmulatorOptions? options = null,
        TtlDeletionLog? ttlDeletions = null,
        TimeProvider? clock = null,
        TextWriter? log = null)
    {
        _dynamo = dynamo;
        _streams = streams;
        _mappings = mappings.ToList();
        _options = options ?? new EventSourceMappingEmulatorOptions();
        _ttlDeletions = ttlDeletions;
        _clock = clock ?? TimeProvider.System;
        _log = TextWriter.Synchronized(log ?? TextWriter.Null);
        foreach (var m in _mappings)
        {
            if (m.Settings.BatchSize is < 1 or > 10_000)
            {
                throw new ArgumentException($"{m.Settings.FunctionName}: BatchSize must be 1 to 10000, got {m.Settings.BatchSize}.", nameof(mappings));
            }
        }
    }

    /// <summary>Runs every enabled mapping until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var runners = _mappings
            .Where(m => m.Settings.Enabled)
            .Select(m => new MappingRunner(m, _dynamo, _streams, _options, _ttlDeletions, _clock, _log, _pages).RunAsync(ct))
            .ToList();
        try
        {
            await Task.WhenAll(runners);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping is the normal way out.
        }
    }

    /// <summary>Starts <see cref="RunAsync"/> in the background; stop it with <see cref="StopAsync"/> or by disposing.</summary>
    public Task StartAsync(CancellationToken ct)
    {
        if (_running is not null)
        {
            throw new InvalidOperationException("The emulator is already running.");
        }

        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _running = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (_running is null || _stop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(ct);
        }
        finally
        {
            _stop.Dispose();
            _stop = null;
            _running = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
