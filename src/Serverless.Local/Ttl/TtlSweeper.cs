using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using System.Collections.Concurrent;
using Serverless.Data.Table;

namespace Serverless.Local.Ttl;

/// <summary>
/// Deletes expired items where nothing else does: an endpoint without TTL, or "as of" a later time than now (the
/// sweep command). The DynamoDB Local we run (1.25.1) does expire items itself, seconds after their ttl passes by the
/// real clock, and marks those REMOVEs as the service does; the sweeper is harmless beside it. Each delete is
/// conditional on the ttl it saw, so a write that extended the item's life between the scan and the delete wins,
/// as it would against the service. The deletions are noted in a <see cref="TtlDeletionLog"/> for the emulator.
/// </summary>
public sealed class TtlSweeper
{
    // The service ignores ttl values more than five years in the past (they are taken for mistakes, e.g. milliseconds
    // read as seconds would be in the future instead); the sweeper does the same.
    private static readonly TimeSpan IgnoredBeyond = TimeSpan.FromDays(5 * 365);

    private readonly IAmazonDynamoDB _dynamo;
    private readonly TtlSweeperOptions _options;
    private readonly TtlDeletionLog _log;
    private readonly TimeProvider _clock;
    private readonly TextWriter? _output;
    private readonly ExpiredItemCascade? _cascade;
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _keyNames = new(StringComparer.Ordinal);

    /// <param name="cascade">Deletes an expired item with what hangs off it, where no stream consumer will (see <see cref="UserCascade"/>).</param>
    public TtlSweeper(IAmazonDynamoDB dynamo, TtlSweeperOptions options, TtlDeletionLog log, TimeProvider? clock = null, TextWriter? output = null, ExpiredItemCascade? cascade = null)
    {
        _dynamo = dynamo;
        _options = options;
        _log = log;
        _clock = clock ?? TimeProvider.System;
        _output = output;
        _cascade = cascade;
    }

    /// <summary>One pass over every table: returns the number of items deleted.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct) => (await SweepOnceByEntityTypeAsync(ct)).Deleted;

    /// <summary>One pass over every table: the items deleted, counted by their entity type.</summary>
    public async Task<TtlSweepResult> SweepOnceByEntityTypeAsync(CancellationToken ct)
    {
        var deleted = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var table in _options.TableNames)
        {
            await SweepTableAsync(table, deleted, ct);
        }

        return new TtlSweepResult(deleted);
    }

    /// <summary>
    /// A pass may take at most this share of the time: the next one waits <see cref="TtlSweeperOptions.Interval"/>, or
    /// nine times as long as the last pass took when that is longer. A pass scans the whole table, and DynamoDB Local
    /// runs every request of every client on one SQLite thread: on a table of millions (a seeded large scenario) back
    /// to back passes took most of that thread and slowed every write of the stack.
    /// </summary>
    public const double MaximumBusyShare = 0.1;

    /// <summary>Sweeps until cancelled, paced as <see cref="PauseAfter"/> says; a failed pass is logged and retried next time.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (true)
        {
            var started = _clock.GetTimestamp();
            try
            {
                var deleted = await SweepOnceAsync(ct);
                if (deleted > 0 && _output is not null)
                {
                    await _output.WriteLineAsync($"ttl sweeper: deleted {deleted} expired item(s)");
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Stopped mid-pass ends the loop as a stop between passes does: each delete is conditional and whole,
                // so nothing is left half done, and the caller awaiting the loop should not see an exception for it.
                return;
            }
            catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException && !ct.IsCancellationRequested)
            {
                // The table may not exist yet while the stack starts, or DynamoDB Local is restarting.
                _output?.WriteLine($"ttl sweeper: pass failed, will retry: {e.Message}");
            }

            try
            {
                await Task.Delay(PauseAfter(_clock.GetElapsedTime(started), _options.Interval), _clock, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The wait after a pass of <paramref name="pass"/>: the interval, or long enough to keep the sweeper's share of the time at <see cref="MaximumBusyShare"/>.</summary>
    public static TimeSpan PauseAfter(TimeSpan pass, TimeSpan interval)
    {
        var paced = pass * ((1 - MaximumBusyShare) / MaximumBusyShare);
        return paced > interval ? paced : interval;
    }

    private async Task SweepTableAsync(string table, IDictionary<string, int> deleted, CancellationToken ct)
    {
        var keyNames = await KeyNamesAsync(table, ct);
        var now = _clock.GetUtcNow();
        var names = new Dictionary<string, string> { ["#ttl"] = _options.AttributeName, ["#et"] = _options.EntityTypeAttributeName };
        var projection = new List<string> { "#ttl", "#et" };
        for (var i = 0; i < keyNames.Count; i++)
        {
            names[$"#k{i}"] = keyNames[i];
            projection.Add($"#k{i}");
        }

        Dictionary<string, AttributeValue>? start = null;
        do
        {
            // A Scan is acceptable here only because this runs against a local emulator's small data set.
            var page = await _dynamo.ScanAsync(
                new ScanRequest
                {
                    TableName = table,
                    ConsistentRead = true,
                    ProjectionExpression = string.Join(", ", projection),
                    FilterExpression = "#ttl BETWEEN :oldest AND :now",
                    ExpressionAttributeNames = names,
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                    {
                        [":oldest"] = Number((now - IgnoredBeyond).ToUnixTimeSeconds()),
                        [":now"] = Number(now.ToUnixTimeSeconds()),
                    },
                    ExclusiveStartKey = start,
                    Limit = ScanPages.Limit,
                },
                ct);

            foreach (var item in page.Items ?? [])
            {
                if (_cascade is not null && await _cascade(table, item, ct) is { } cascaded)
                {
                    foreach (var (cascadedType, n) in cascaded)
                    {
                        deleted[cascadedType] = deleted.TryGetValue(cascadedType, out var count) ? count + n : n;
                    }
                }
                else if (await DeleteIfUnchangedAsync(table, keyNames, item, ct))
                {
                    var type = item.TryGetValue(_options.EntityTypeAttributeName, out var value) && value.S is { } s ? s : TtlSweepResult.NoEntityType;
                    deleted[type] = deleted.TryGetValue(type, out var count) ? count + 1 : 1;
                }
            }

            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
    }

    private async Task<bool> DeleteIfUnchangedAsync(string table, IReadOnlyList<string> keyNames, Dictionary<string, AttributeValue> item, CancellationToken ct)
    {
        var key = keyNames.ToDictionary(k => k, k => item[k], StringComparer.Ordinal);
        var ttl = item[_options.AttributeName].N;

        // Noted before the delete: the emulator may read the REMOVE record the moment the delete lands.
        _log.Add(table, key, ttl);
        try
        {
            await _dynamo.DeleteItemAsync(
                new DeleteItemRequest
                {
                    TableName = table,
                    Key = key,
                    // Only the expiry we saw: a write that moved the ttl (or removed the item) since the scan wins.
                    ConditionExpression = "#ttl = :ttl",
                    ExpressionAttributeNames = new Dictionary<string, string> { ["#ttl"] = _options.AttributeName },
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":ttl"] = new() { N = ttl } },
                },
                ct);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            _log.Remove(table, key, ttl);
            return false;
        }
        catch
        {
            _log.Remove(table, key, ttl);
            throw;
        }
    }

    private async Task<IReadOnlyList<string>> KeyNamesAsync(string table, CancellationToken ct)
    {
        if (_keyNames.TryGetValue(table, out var cached))
        {
            return cached;
        }

        var description = await _dynamo.DescribeTableAsync(new DescribeTableRequest { TableName = table }, ct);
        var names = description.Table.KeySchema.Select(k => k.AttributeName).ToList();
        _keyNames[table] = names;
        return names;
    }

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };
}

/// <summary>
/// Deletes an expired item (the sweep's projection: keys, ttl, entity type) together with what hangs off it; returns
/// what it deleted by entity type, or null when the item is not its kind and the sweeper's own delete should follow.
/// </summary>
public delegate Task<IReadOnlyDictionary<string, int>?> ExpiredItemCascade(string tableName, IReadOnlyDictionary<string, AttributeValue> expired, CancellationToken ct);
