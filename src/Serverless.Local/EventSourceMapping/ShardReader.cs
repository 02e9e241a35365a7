using System.Text.Json;
using Serverless.Local.Streams;
using Serverless.Local.Ttl;

namespace Serverless.Local.EventSourceMapping;

/// <summary>
/// Reads one shard in order and hands batches to the function one at a time: the next batch of a shard starts only
/// when the previous one succeeded or was given up. Ends when a closed shard has been read and processed to its end.
/// </summary>
internal sealed class ShardReader(
    StreamFunctionMapping mapping,
    string streamArn,
    string shardId,
    string initialIteratorType,
    DynamoDbStreamsClient streams,
    EventSourceMappingEmulatorOptions options,
    TtlDeletionLog? ttlDeletions,
    TimeProvider clock,
    TextWriter log)
{
    // GetRecords returns at most 1000 records per call.
    private const int GetRecordsLimit = 1000;

    private readonly EventSourceMappingSettings _settings = mapping.Settings;
    private readonly List<(LambdaStreamRecord Record, DateTimeOffset FetchedAt)> _buffer = [];
    private string? _lastSequenceNumber;

    public async Task RunAsync(CancellationToken ct)
    {
        var batches = new BatchInvoker(mapping, streamArn, shardId, options, clock, log);
        var iterator = await NewIteratorAsync(ct);
        var closed = iterator is null;
        while (true)
        {
            var fetched = false;
            if (!closed && _buffer.Count < _settings.BatchSize)
            {
                GetRecordsResponse page;
                try
                {
                    page = await streams.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator!, Limit = GetRecordsLimit }, ct);
                }
                catch (ExpiredIteratorException)
                {
                    // Iterators live 15 minutes; a long retry loop outlives them. Resume after the last record read.
                    iterator = await NewIteratorAsync(ct);
                    closed = iterator is null;
                    continue;
                }
                catch (TrimmedDataAccessException e)
                {
                    await log.WriteLineAsync($"[{_settings.FunctionName}] {shardId}: records were trimmed before they were read ({e.Message}); continuing from the oldest record kept");
                    _lastSequenceNumber = null;
                    iterator = await IteratorAsync(ShardIteratorType.TrimHorizon, null, ct);
                    closed = iterator is null;
                    continue;
                }
                catch (DynamoDbStreamsException e) when (e.IsRetryable)
                {
                    await Task.Delay(options.PollInterval, clock, ct);
                    continue;
                }
                catch (HttpRequestException e)
                {
                    await log.WriteLineAsync($"[{_settings.FunctionName}] {shardId}: GetRecords failed, retrying: {e.Message}");
                    await Task.Delay(options.UnavailableDelay, clock, ct);
                    continue;
                }

                var now = clock.GetUtcNow();
                foreach (var source in page.Records)
                {
                    _lastSequenceNumber = source.Dynamodb.SequenceNumber;
                    var record = new LambdaStreamRecord(source, streamArn, options.Region, TtlIdentityFor(source));
                    if (PassesFilters(record))
                    {
                        _buffer.Add((record, now));
                    }
                }

                fetched = page.Records.Count > 0;
                iterator = page.NextShardIterator;
                closed = iterator is null;
            }

            if (IsBatchReady(closed))
            {
                var size = Math.Min(_settings.BatchSize, _buffer.Count);
                var batch = _buffer.Take(size).Select(b => b.Record).ToList();
                _buffer.RemoveRange(0, size);
                await batches.ProcessAsync(batch, ct);
                continue;
            }

            if (closed && _buffer.Count == 0)
            {
                return;
            }

            if (!fetched)
            {
                await Task.Delay(NextPause(), clock, ct);
            }
        }
    }

    private bool IsBatchReady(bool closed)
    {
        if (_buffer.Count == 0)
        {
            return false;
        }

        // A batch goes when it is full, when the shard has nothing more to add, or when the oldest buffered record
        // has waited out the batching window (zero window: as soon as a GetRecords brought anything).
        return _buffer.Count >= _settings.BatchSize
            || closed
            || clock.GetUtcNow() - _buffer[0].FetchedAt >= _settings.MaximumBatchingWindow;
    }

    private TimeSpan NextPause()
    {
        if (_buffer.Count == 0)
        {
            return options.PollInterval;
        }

        var windowLeft = _settings.MaximumBatchingWindow - (clock.GetUtcNow() - _buffer[0].FetchedAt);
        return windowLeft < options.PollInterval ? (windowLeft > TimeSpan.Zero ? windowLeft : TimeSpan.Zero) : options.PollInterval;
    }

    private bool PassesFilters(LambdaStreamRecord record)
    {
        if (_settings.Filters.Count == 0)
        {
            return true;
        }

        // Patterns see the record exactly as the function would receive it.
        using var doc = JsonDocument.Parse(StreamEventWriter.WriteRecord(record));
        return FilterPattern.AnyMatches(_settings.Filters, doc.RootElement);
    }

    private StreamUserIdentity? TtlIdentityFor(StreamRecord record) =>
        ttlDeletions is not null && record.UserIdentity is null && ttlDeletions.IsTtlDeletion(mapping.TableName, record, options.TtlAttributeName)
            ? TtlDeletionLog.TtlIdentity
            : null;

    private Task<string?> NewIteratorAsync(CancellationToken ct) => _lastSequenceNumber is { } after
        ? IteratorAsync(ShardIteratorType.AfterSequenceNumber, after, ct)
        : IteratorAsync(initialIteratorType, null, ct);

    private async Task<string?> IteratorAsync(string type, string? sequenceNumber, CancellationToken ct)
    {
        var response = await streams.GetShardIteratorAsync(
            new GetShardIteratorRequest { StreamArn = streamArn, ShardId = shardId, ShardIteratorType = type, SequenceNumber = sequenceNumber },
            ct);
        return response.ShardIterator;
    }
}
