using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Bench.Privacy;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Caching;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Lambda.Runtime;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Streams;
using Serverless.Streams;

namespace Serverless.Bench.Cache;

/// <summary>
/// How long a write that bypasses the API (an UpdateItem bumping a user's version, as a migration writes) stays
/// uninvalidated: from the write's acknowledgement until the CacheInvalidation stream function, fed by the local event
/// source mapping emulator from the table's stream at its default pace (what <c>serve</c> runs), has left the
/// tombstone of the new version at <c>user:{id}</c>.
/// </summary>
internal static class StreamInvalidation
{
    private const string Writer = "bench-migration";

    public static async Task AddAsync(BenchContext context, RedisProcess redis, SectionResult section, CancellationToken ct)
    {
        var writes = context.Quick ? 20 : 200;
        const string prefix = "bench-stream:";

        // This one table needs its stream; it is made last in the run and dropped at once (BenchContext.CreateTableAsync).
        var table = $"bench-cache-stream-{Guid.NewGuid():N}";
        await TableSetup.EnsureCreatedAsync(context.Client, table, withStream: true, ct);
        try
        {
            var root = LocalRootKey.Ephemeral();
            var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            // One more user than measured writes: the first write warms the path (connections, JIT) and is not counted.
            var users = Enumerable.Range(0, writes + 1).Select(n => PrivacyItems.Person(n, now)).ToList();
            var sealer = new UserItemSealer(await new FieldProtection(context.Client, table, root, TimeProvider.System).KeysAsync(ct));
            await RawWrites.BatchWriteAsync(context.Client, table, [.. users.SelectMany(u => sealer.ForUser(u, 1).Take(2))], 8, ct);

            using var client = context.CreateClient();
            using var readerCache = await CacheBench.ConnectAsync(redis, prefix, ct);
            using var watcher = await CacheBench.ConnectAsync(redis, prefix, ct);
            var repository = new UserRepository(new TableAccess(client, PrivacyItems.Options(table), TimeProvider.System, root)) { Cache = readerCache };

            // The function has a cache of its own (its own connection), as a separate Lambda function would; it owns it.
            var function = StreamFunctions.CreateCacheInvalidation(await CacheBench.ConnectAsync(redis, prefix, ct), NullLoggerFactory.Instance);
            var mapping = new StreamFunctionMapping(
                new EventSourceMappingSettings
                {
                    FunctionName = "CacheInvalidationFunction",
                    BatchSize = 100,
                    ReportBatchItemFailures = true,
                    BisectBatchOnFunctionError = true,
                    MaximumRetryAttempts = 2,
                },
                table,
                async (payload, token) => await function.InvokeAsync(
                    payload, LambdaContext.ForLocalInvocation(ProcessEnvironment.Instance, TimeProvider.System, TimeSpan.FromMinutes(1)), token));
            var pace = new EventSourceMappingEmulatorOptions();
            using var streams = DynamoDbStreamsClient.ForLocal(context.ServiceUrl);
            var emulator = new EventSourceMappingEmulator(context.Client, streams, [mapping], pace, log: TextWriter.Null);
            await emulator.StartAsync(ct);
            var sinceWrite = new List<double>();
            var sinceSend = new List<double>();
            var writeTimes = new List<double>();
            try
            {
                // The seeding's inserts come first on the stream (trim horizon): once each user holds their tombstone the
                // function has caught up; then each user is read once, so its entry is cached before its write.
                foreach (var user in users)
                {
                    await UntilTombstoneAsync(watcher, user.Id, 1, TimeSpan.FromMinutes(2), ct);
                }

                foreach (var user in users)
                {
                    _ = await repository.GetAsync(user.Id, ct) ?? throw new InvalidOperationException($"User {user.Id} was not found.");
                    if (Entry(await watcher.Store!.GetAsync(watcher.UserKey(user.Id))) is not { Kind: CacheEntryKind.Value, Version: 1 })
                    {
                        throw new InvalidOperationException($"User {user.Id} was read but its cache entry is not its version 1.");
                    }
                }

                // Each write waits a random part of a poll interval first: sent as soon as the previous one was seen, every
                // write would land just after the poll that found nothing and wait a whole interval.
                var pauses = new Random(18);
                for (var i = 0; i < users.Count; i++)
                {
                    var id = users[i].Id;
                    await Task.Delay(pace.PollInterval * pauses.NextDouble(), ct);
                    var sent = Stopwatch.GetTimestamp();
                    var version = await BumpVersionAsync(client, table, id, ct);
                    var acknowledged = Stopwatch.GetTimestamp();
                    await UntilTombstoneAsync(watcher, id, version, TimeSpan.FromSeconds(30), ct);
                    var invalidated = Stopwatch.GetTimestamp();
                    if (i > 0)
                    {
                        sinceWrite.Add(Stopwatch.GetElapsedTime(acknowledged, invalidated).TotalMilliseconds);
                        sinceSend.Add(Stopwatch.GetElapsedTime(sent, invalidated).TotalMilliseconds);
                        writeTimes.Add(Stopwatch.GetElapsedTime(sent, acknowledged).TotalMilliseconds);
                    }
                }
            }
            finally
            {
                await emulator.DisposeAsync();
                if (function is IAsyncDisposable owned)
                {
                    await owned.DisposeAsync();
                }
            }

            var latency = new Stats(sinceWrite);
            var total = new Stats(sinceSend);
            var write = new Stats(writeTimes);
            var poll = pace.PollInterval.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
            section.Rows.Add(new Row
            {
                Measure = "write bypassing the API to its stream invalidation: p50",
                Ours = Format.Ms(latency.Median),
                Baseline = $"the stream's poll interval, {poll} ms (Lambda polls a shard 4 times a second)",
            });
            section.Rows.Add(new Row
            {
                Measure = "write bypassing the API to its stream invalidation: p99",
                Ours = Format.Ms(latency.P99),
                Baseline = $"{poll} ms poll interval",
            });
            section.Details.Add(
                $"Invalidation after a write that bypasses the API: {Format.Count(writes)} UpdateItems one after the other, each bumping the version of "
                + $"another cached user (lastWriter {Writer}), each sent once the previous was invalidated and a random pause of up to one poll interval "
                + "had passed (so writes land anywhere in the emulator's poll cycle). From the write's acknowledgement to the "
                + $"tombstone of its new version at user:{{id}} (checked every millisecond or so): p50 {Format.Ms(latency.Median)}, p99 {Format.Ms(latency.P99)}, "
                + $"max {Format.Ms(latency.Max)}; from sending the write: p50 {Format.Ms(total.Median)}, p99 {Format.Ms(total.P99)}; the UpdateItem itself "
                + $"p50 {Format.Ms(write.Median)}. The emulator's pace is its default (what serve runs): a poll of the shard every {poll} ms when the "
                + "last one found nothing: a write waits for the shard's next poll, then one GetRecords from DynamoDB Local's stream, the "
                + "function's Redis calls (the tombstone, the active list's generation, the email key) and the check's GET.");
        }
        finally
        {
            await context.DropTableAsync(table, ct);
        }
    }

    /// <summary>An UpdateItem by a plain client, as a migration writes: the version bumped, nothing else read. Returns the new version.</summary>
    private static async Task<long> BumpVersionAsync(Amazon.DynamoDBv2.IAmazonDynamoDB client, string table, Guid id, CancellationToken ct)
    {
        var response = await client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Keys.User(id).ToAttributes(),
            UpdateExpression = "SET #version = #version + :one, #writer = :writer",
            ConditionExpression = "attribute_exists(#version)",
            ExpressionAttributeNames = new() { ["#version"] = Attr.Version, ["#writer"] = Attr.LastWriter },
            ExpressionAttributeValues = new() { [":one"] = new AttributeValue { N = "1" }, [":writer"] = new AttributeValue { S = Writer } },
            ReturnValues = Amazon.DynamoDBv2.ReturnValue.UPDATED_NEW,
        }, ct);
        return long.Parse(response.Attributes[Attr.Version].N, NumberStyles.Integer, CultureInfo.InvariantCulture);
    }

    private static async Task UntilTombstoneAsync(UserCache watcher, Guid id, long version, TimeSpan limit, CancellationToken ct)
    {
        var key = watcher.UserKey(id);
        var clock = Stopwatch.StartNew();
        while (Entry(await PollAsync(watcher, key)) is not { Kind: CacheEntryKind.Tombstone } entry || entry.Version < version)
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"The stream function did not invalidate user {id} at version {version} within {limit.TotalSeconds:0} s.");
            }

            await Task.Delay(1, ct);
        }
    }

    /// <summary>The watcher's read of the key; a read that times out on a loaded machine is only tried again (it is the bench's poll, not a measured read).</summary>
    private static async Task<byte[]?> PollAsync(UserCache watcher, string key)
    {
        try
        {
            return await watcher.Store!.GetAsync(key);
        }
        catch (StackExchange.Redis.RedisTimeoutException)
        {
            return null;
        }
    }

    private static CacheEntry? Entry(byte[]? raw) => raw is null ? null : CacheEntry.Decode(raw);
}
