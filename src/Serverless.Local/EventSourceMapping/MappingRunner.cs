using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Serverless.Local.Streams;
using Serverless.Local.Ttl;

namespace Serverless.Local.EventSourceMapping;

/// <summary>One mapping: finds the table's stream, and runs a reader per shard once the shard's parent is drained.</summary>
internal sealed class MappingRunner(
    StreamFunctionMapping mapping,
    IAmazonDynamoDB dynamo,
    DynamoDbStreamsClient streams,
    EventSourceMappingEmulatorOptions options,
    TtlDeletionLog? ttlDeletions,
    TimeProvider clock,
    TextWriter log,
    ShardPageCache? pages = null)
{
    private string Name => mapping.Settings.FunctionName;

    public async Task RunAsync(CancellationToken ct)
    {
        string? lastProblem = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // Always the local table's own stream: an ARN written in the template names a stream in AWS, not here.
                var streamArn = await LatestStreamArnAsync(ct);
                if (streamArn is null)
                {
                    Report(ref lastProblem, $"table {mapping.TableName} has no stream enabled; waiting");
                }
                else
                {
                    lastProblem = null;
                    await log.WriteLineAsync($"[{Name}] reading {streamArn}");
                    await RunStreamAsync(streamArn, ct);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested && IsUnavailable(e))
            {
                // The stack may still be creating the table, or the table was deleted and created again (a new stream).
                Report(ref lastProblem, $"stream unavailable ({e.GetType().Name}: {e.Message}); waiting");
            }

            await Task.Delay(options.UnavailableDelay, clock, ct);
        }

        ct.ThrowIfCancellationRequested();
    }

    private void Report(ref string? lastProblem, string problem)
    {
        // Say it once, not every second while the stack starts.
        if (problem != lastProblem)
        {
            log.WriteLine($"[{Name}] {problem}");
            lastProblem = problem;
        }
    }

    private static bool IsUnavailable(Exception e) => e is ResourceNotFoundException or StreamResourceNotFoundException
        or AmazonServiceException or DynamoDbStreamsException or HttpRequestException or IOException;

    /// <summary>The table's partition key attribute, read with its stream: the lanes of a parallelized shard go by it.</summary>
    private string? _partitionKeyName;

    private async Task<string?> LatestStreamArnAsync(CancellationToken ct)
    {
        var table = await dynamo.DescribeTableAsync(new DescribeTableRequest { TableName = mapping.TableName }, ct);
        _partitionKeyName = table.Table.KeySchema?.FirstOrDefault(k => k.KeyType == KeyType.HASH)?.AttributeName;
        // A disabled stream keeps its LatestStreamArn for a while; it takes no new records.
        return table.Table.StreamSpecification?.StreamEnabled == false ? null : table.Table.LatestStreamArn;
    }

    private async Task RunStreamAsync(string streamArn, CancellationToken outer)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        var ct = cts.Token;
        var done = new HashSet<string>(StringComparer.Ordinal);
        var running = new Dictionary<string, Task>(StringComparer.Ordinal);
        var firstListing = true;
        try
        {
            while (true)
            {
                IReadOnlyList<Shard> shards;
                try
                {
                    shards = await streams.ListAllShardsAsync(streamArn, ct);
                }
                catch (Exception e) when (ShardReader.IsTransient(e, ct))
                {
                    // Listed again at the next discovery; the readers running keep their place (starting the stream
                    // over would read every shard not yet done from its trim horizon again).
                    await Task.Delay(options.ShardDiscoveryInterval, clock, ct);
                    continue;
                }

                var present = shards.Select(s => s.ShardId).ToHashSet(StringComparer.Ordinal);
                foreach (var shard in shards)
                {
                    if (done.Contains(shard.ShardId) || running.ContainsKey(shard.ShardId))
                    {
                        continue;
                    }

                    var iteratorType = ShardIteratorType.TrimHorizon;
                    if (firstListing && mapping.Settings.StartingPosition == StartingPosition.Latest)
                    {
                        // LATEST: what is already closed is history; open shards are read from their tip.
                        if (shard.IsClosed)
                        {
                            done.Add(shard.ShardId);
                            continue;
                        }

                        iteratorType = ShardIteratorType.Latest;
                    }
                    else if (shard.ParentShardId is { } parent && present.Contains(parent) && !done.Contains(parent))
                    {
                        // Per-item order across a split: a child's records come after its parent's.
                        continue;
                    }

                    var reader = new ShardReader(mapping, streamArn, shard.ShardId, iteratorType, streams, options, ttlDeletions, clock, log, _partitionKeyName, pages);
                    running[shard.ShardId] = reader.RunAsync(ct);
                }

                firstListing = false;
                var discovery = Task.Delay(options.ShardDiscoveryInterval, clock, ct);
                await Task.WhenAny(running.Values.Append(discovery));
                foreach (var (id, task) in running.Where(r => r.Value.IsCompleted).ToList())
                {
                    running.Remove(id);
                    await task; // a reader only ends by draining its shard, or with an error the caller handles
                    done.Add(id);
                }

                ct.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            await cts.CancelAsync();
            await Task.WhenAll(running.Values.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)));
        }
    }
}
