using System.Text.Json;
using Serverless.Local.Streams;
using Serverless.Local.Ttl;

namespace Serverless.Local.EventSourceMapping;

/// <summary>
/// Reads one shard in order and hands its records to the function in batches. With a ParallelizationFactor of 1 the
/// next batch starts only when the previous one succeeded or was given up, but the next GetRecords runs while a batch
/// is handled (up to a batch read ahead), so a busy function does not also wait for the stream; with N, the records are spread over N lanes
/// by their partition key (as Lambda does), each lane runs one batch at a time in order, and up to N batches of the
/// shard are in flight. Ends when a closed shard has been read and every lane processed to its end.
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
    TextWriter log,
    string? partitionKeyName = null,
    ShardPageCache? pages = null)
{
    // GetRecords returns at most 1000 records per call.
    private const int GetRecordsLimit = 1000;

    private readonly EventSourceMappingSettings _settings = mapping.Settings;
    private string? _lastSequenceNumber;

    // Whether the next page may come from the shared pages: not for a LATEST start (its first page depends on when it
    // was asked for) nor right after records were trimmed (a page held from before would still hold them).
    private bool _shareable = initialIteratorType == ShardIteratorType.TrimHorizon;

    /// <summary>Failures in a row of this reader's calls to the stream; the pause after each grows with it.</summary>
    private int _failuresInARow;

    /// <summary>The stream's ARN in the local run's region and account, as every ARN it reports (DynamoDB Local's own says ddblocal:000000000000).</summary>
    private readonly string reportedStreamArn = ReportedArn(streamArn, options);

    internal static string ReportedArn(string arn, EventSourceMappingEmulatorOptions options)
    {
        var parts = arn.Split(':', 6);
        return parts.Length == 6 && parts[0] == "arn" ? $"arn:{parts[1]}:{parts[2]}:{options.Region}:{options.AccountId}:{parts[5]}" : arn;
    }

    /// <summary>One lane: its buffered records (in shard order) and the batch it has in flight.</summary>
    private sealed class Lane
    {
        public List<(LambdaStreamRecord Record, DateTimeOffset FetchedAt)> Buffer { get; } = [];

        public Task? InFlight { get; set; }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var batches = new BatchInvoker(mapping, reportedStreamArn, shardId, options, clock, log);
        var lanes = Enumerable.Range(0, _settings.ParallelizationFactor).Select(_ => new Lane()).ToArray();
        var iterator = await NewIteratorAsync(ct);
        var closed = iterator is null;
        try
        {
            while (true)
            {
                await CollectFinishedAsync(lanes);
                var fetched = false;
                // Read ahead while some lane could still fill a batch: at most a batch per lane waits unprocessed.
                if (!closed && lanes.Sum(l => l.Buffer.Count) < _settings.BatchSize * lanes.Length)
                {
                    SharedPage page;
                    try
                    {
                        page = await NextPageAsync(iterator!, ct);
                        _failuresInARow = 0;
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
                        _shareable = false;
                        iterator = await IteratorAsync(ShardIteratorType.TrimHorizon, null, ct);
                        closed = iterator is null;
                        continue;
                    }
                    catch (Exception e) when (IsTransient(e, ct))
                    {
                        // The iterator is still good: the same page is asked for again, so nothing is skipped or repeated.
                        await PauseAfterAsync("GetRecords", e, ct);
                        continue;
                    }

                    var now = clock.GetUtcNow();
                    foreach (var shared in page.Records)
                    {
                        _lastSequenceNumber = shared.SequenceNumber;
                        if (PassesFilters(shared))
                        {
                            lanes[LaneOf(shared.Record, lanes.Length)].Buffer.Add((shared.Record, now));
                        }
                    }

                    if (page.Records.Count > 0)
                    {
                        _shareable = true;
                    }

                    fetched = page.Records.Count > 0;
                    iterator = page.NextShardIterator;
                    closed = iterator is null;
                }

                var started = false;
                foreach (var lane in lanes)
                {
                    if (lane.InFlight is null && IsBatchReady(lane, closed))
                    {
                        var size = Math.Min(_settings.BatchSize, lane.Buffer.Count);
                        var batch = lane.Buffer.Take(size).Select(b => b.Record).ToList();
                        lane.Buffer.RemoveRange(0, size);
                        lane.InFlight = batches.ProcessAsync(batch, ct);
                        started = true;
                    }
                }

                if (closed && lanes.All(l => l.Buffer.Count == 0 && l.InFlight is null))
                {
                    return;
                }

                if (started || fetched)
                {
                    continue;
                }

                var inFlight = lanes.Select(l => l.InFlight).OfType<Task>().ToList();
                var pause = Task.Delay(NextPause(lanes), clock, ct);
                await (inFlight.Count == 0 ? pause : Task.WhenAny(inFlight.Append(pause)));
            }
        }
        finally
        {
            // A cancelled or failed reader leaves no batch running behind it.
            var left = lanes.Select(l => l.InFlight).OfType<Task>().ToArray();
            await Task.WhenAll(left.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)));
        }
    }

    /// <summary>Clears the lanes whose batch has finished; a batch that failed (cancellation) ends the reader with its error.</summary>
    private static async Task CollectFinishedAsync(Lane[] lanes)
    {
        foreach (var lane in lanes)
        {
            if (lane.InFlight is { IsCompleted: true } done)
            {
                lane.InFlight = null;
                await done;
            }
        }
    }

    /// <summary>The lane of a record: its partition key's hash, so one item's records always share a lane and keep their order.</summary>
    private int LaneOf(LambdaStreamRecord record, int count)
    {
        if (count == 1)
        {
            return 0;
        }

        var keys = record.Source.Dynamodb.Keys;
        var key = keys is { ValueKind: JsonValueKind.Object } k && partitionKeyName is not null && k.TryGetProperty(partitionKeyName, out var pk)
            ? pk.GetRawText()
            : keys?.GetRawText() ?? record.SequenceNumber;
        // FNV-1a over the key's text: stable across runs and processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)count);
    }

    private bool IsBatchReady(Lane lane, bool closed)
    {
        var buffer = lane.Buffer;
        if (buffer.Count == 0)
        {
            return false;
        }

        // A batch goes when it is full, when the shard has nothing more to add, or when the oldest buffered record
        // has waited out the batching window (zero window: as soon as a GetRecords brought anything).
        return buffer.Count >= _settings.BatchSize
            || closed
            || clock.GetUtcNow() - buffer[0].FetchedAt >= _settings.MaximumBatchingWindow;
    }

    private TimeSpan NextPause(Lane[] lanes)
    {
        var oldest = lanes.Where(l => l.InFlight is null && l.Buffer.Count > 0).Select(l => (DateTimeOffset?)l.Buffer[0].FetchedAt).Min();
        if (oldest is null)
        {
            return options.PollInterval;
        }

        var windowLeft = _settings.MaximumBatchingWindow - (clock.GetUtcNow() - oldest.Value);
        return windowLeft < options.PollInterval ? (windowLeft > TimeSpan.Zero ? windowLeft : TimeSpan.Zero) : options.PollInterval;
    }

    /// <summary>
    /// The next page from <paramref name="iterator"/>: from the shared pages when another mapping has read (or is
    /// reading) the page after the same record, else by GetRecords, which then serves the others.
    /// </summary>
    private Task<SharedPage> NextPageAsync(string iterator, CancellationToken ct) =>
        pages is null || !_shareable
            ? FetchAsync(iterator, ct)
            : pages.GetAsync(streamArn + "/" + shardId, ShardPageCache.After(_lastSequenceNumber), () => FetchAsync(iterator, CancellationToken.None)).WaitAsync(ct);

    // A shared fetch runs to its end even when the reader that started it stops: others may be waiting for it.
    private async Task<SharedPage> FetchAsync(string iterator, CancellationToken ct)
    {
        var page = await streams.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, Limit = GetRecordsLimit }, ct);
        var records = new List<SharedRecord>(page.Records.Count);
        foreach (var source in page.Records)
        {
            records.Add(new SharedRecord(new LambdaStreamRecord(source, reportedStreamArn, options.Region, TtlIdentityFor(source))));
        }

        return new SharedPage(records, page.NextShardIterator);
    }

    private bool PassesFilters(SharedRecord record) =>
        // Patterns see the record exactly as the function would receive it.
        _settings.Filters.Count == 0 || FilterPattern.AnyMatches(_settings.Filters, record.FilterView);

    private StreamUserIdentity? TtlIdentityFor(StreamRecord record) =>
        ttlDeletions is not null && record.UserIdentity is null && ttlDeletions.IsTtlDeletion(mapping.TableName, record, options.TtlAttributeName)
            ? TtlDeletionLog.TtlIdentity
            : null;

    private Task<string?> NewIteratorAsync(CancellationToken ct) => _lastSequenceNumber is { } after
        ? IteratorAsync(ShardIteratorType.AfterSequenceNumber, after, ct)
        : IteratorAsync(initialIteratorType, null, ct);

    private async Task<string?> IteratorAsync(string type, string? sequenceNumber, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                var response = await streams.GetShardIteratorAsync(
                    new GetShardIteratorRequest { StreamArn = streamArn, ShardId = shardId, ShardIteratorType = type, SequenceNumber = sequenceNumber },
                    ct);
                _failuresInARow = 0;
                return response.ShardIterator;
            }
            catch (Exception e) when (IsTransient(e, ct))
            {
                // Asked again here rather than by the mapping, which would start the shard over from its trim horizon.
                await PauseAfterAsync("GetShardIterator", e, ct);
            }
        }
    }

    /// <summary>
    /// A failure worth asking again for: a throttle or a 5xx of the service, a connection reset, or HttpClient's own
    /// timeout (a cancellation the caller did not ask for). Anything else (an expired iterator, trimmed records, a
    /// stream that is gone) is handled where it is caught, or ends the reader.
    /// </summary>
    internal static bool IsTransient(Exception e, CancellationToken ct) => e switch
    {
        DynamoDbStreamsException service => service.IsRetryable,
        HttpRequestException or IOException or TimeoutException => true,
        OperationCanceledException => !ct.IsCancellationRequested,
        _ => false,
    };

    private async Task PauseAfterAsync(string operation, Exception e, CancellationToken ct)
    {
        // A throttle or a 5xx is the service asking for a pause; the network failing is the stack going away or
        // starting, or a request that waited out its timeout, worth a longer one.
        _failuresInARow++;
        var throttled = e is DynamoDbStreamsException;
        if (!throttled)
        {
            await log.WriteLineAsync($"[{_settings.FunctionName}] {shardId}: {operation} failed, retrying: {e.Message}");
        }

        await Task.Delay(throttled ? options.PollInterval : UnavailablePause(_failuresInARow, options), clock, ct);
    }

    /// <summary>
    /// The pause after the <paramref name="failuresInARow"/>th network failure in a row: <see
    /// cref="EventSourceMappingEmulatorOptions.UnavailableDelay"/>, doubled for each failure after the first, up to
    /// <see cref="EventSourceMappingEmulatorOptions.MaximumUnavailableDelay"/>. A request that timed out is not undone:
    /// DynamoDB Local still runs it once its one SQLite thread is free, so asking again at once behind a long request
    /// (DescribeTable on a table of millions) piles copies up in its queue.
    /// </summary>
    internal static TimeSpan UnavailablePause(int failuresInARow, EventSourceMappingEmulatorOptions options) =>
        Doubled(options.UnavailableDelay, failuresInARow - 1, options.MaximumUnavailableDelay);

    /// <summary><paramref name="first"/> doubled <paramref name="doublings"/> times, at most <paramref name="most"/> (the mapping's back-offs).</summary>
    internal static TimeSpan Doubled(TimeSpan first, int doublings, TimeSpan most) =>
        TimeSpan.FromTicks(Math.Min(first.Ticks * (1L << Math.Clamp(doublings, 0, 16)), most.Ticks));
}
