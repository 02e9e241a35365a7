using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Caching;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.Local.EventSourceMapping;
using Serverless.Streams.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Streams.Tests.Faults;

/// <summary>
/// The user cache with its connection to redis-server failing (<see cref="FlakyTcpProxy"/>: reset before or after a
/// command reached the server, or the server hanging) while writers change users behind the API's back and readers read
/// through the cache. The CacheInvalidation function, fed by the local event source mapping with template.yaml's retry
/// settings, fails a record it could not invalidate, so it is delivered again. Once the stream has drained every user
/// reads back at its stored version (lost = one that does not: a change whose invalidation never landed), and no read
/// that began after a change had been invalidated returned an older version (stale). docs/reliability.md holds the rows.
/// </summary>
public sealed class CacheUnderFaultsTests(DynamoDbLocalFixture dynamo, RedisServerFixture redis) : IDisposable
{
    private const int Users = 30;
    private const int Writers = 4;
    private const int WritesEach = 20;
    private const double Rate = 0.05;

    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly CapturedLogs _logs = new();

    [Theory]
    [InlineData(ConnectionFault.ResetBeforeSending)]
    [InlineData(ConnectionFault.ResetAfterSending)]
    [InlineData(ConnectionFault.Stall)]
    public async Task Under_cache_faults_every_change_is_invalidated_once_the_stream_drains_and_no_read_is_stale(ConnectionFault fault)
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var prefix = RedisServerFixture.UniquePrefix("cache-faults");
        // The shipped operation timeout is 50 ms; a stall is held past this one, then the connection reset.
        var timeout = TimeSpan.FromMilliseconds(200);
        await using var proxy = new FlakyTcpProxy(redis.Endpoint, fault, Rate, seed: 30 + (int)fault, stall: timeout * 3);
        var options = new CacheOptions { Endpoint = proxy.Endpoint, KeyPrefix = prefix, OperationTimeout = timeout };
        using var cache = new UserCache(RedisCacheStore.Connect(options), options, TimeProvider.System);
        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System)) { Cache = cache };
        var created = new List<User>();
        foreach (var chunk in Enumerable.Range(0, Users).Chunk(10))
        {
            created.AddRange(await Task.WhenAll(chunk.Select(i => users.CreateAsync(TestData.NewUser(email: $"faulted{i}@example.com"), "test", _ct))));
        }

        var function = new RecordedFunction(StreamFunctions.CreateCacheInvalidation(cache, _logs.Factory));
        var onFailure = new CountingDestination();
        await using var emulation = await Emulation.StartAsync(dynamo, table.Name, [(function, TemplateSettings())], _ct, onFailure: onFailure);
        var invalidated = created.Select(u => u.Version).ToArray();
        var (stale, reads, writes) = (0, 0, 0);
        var writersLeft = Writers;

        var writerTasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            try
            {
                for (var n = 0; n < WritesEach; n++)
                {
                    var at = random.Next(created.Count);
                    if (await DirectUserWrites.VersionBumpAsync(table, created[at].Id) is not { } version)
                    {
                        continue;
                    }

                    Interlocked.Increment(ref writes);
                    // A writer behind the API's back has "returned" once the stream function has invalidated its change.
                    await Eventually.WaitUntilAsync(async () => DirectUserWrites.Invalidated(await DirectUserWrites.EntryAsync(redis.Connection, cache.UserKey(created[at].Id)), version), "the change was invalidated", _ct, TimeSpan.FromSeconds(30));
                    DirectUserWrites.InterlockedMax(ref invalidated[at], version);
                }
            }
            finally
            {
                // The readers stop with the last writer, however it ended.
                Interlocked.Decrement(ref writersLeft);
            }
        }, _ct));
        var readerTasks = Enumerable.Range(0, 8).Select(r => Task.Run(async () =>
        {
            var random = new Random(100 + r);
            while (Volatile.Read(ref writersLeft) > 0)
            {
                var at = random.Next(created.Count);
                var floor = Volatile.Read(ref invalidated[at]);
                var read = random.Next(3) == 0 ? await users.GetByEmailAsync(created[at].Email, _ct) : await users.GetAsync(created[at].Id, _ct);
                Interlocked.Increment(ref reads);
                if (read is null || read.Version < floor)
                {
                    Interlocked.Increment(ref stale);
                }
            }
        }, _ct));
        await Task.WhenAll(writerTasks.Concat(readerTasks));

        // Drained: the faults stop, and every user is read through a cache of its own straight to redis-server.
        proxy.Faulting = false;
        var direct = new CacheOptions { Endpoint = redis.Endpoint, KeyPrefix = prefix, OperationTimeout = RedisServerFixture.TestOperationTimeout };
        using var healthy = new UserCache(RedisCacheStore.Connect(direct), direct, TimeProvider.System);
        var reader = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System)) { Cache = healthy };
        var lost = 0;
        foreach (var user in created)
        {
            var stored = await StoredVersionAsync(table, user.Id);
            var (byId, byEmail) = (await reader.GetAsync(user.Id, _ct), await reader.GetByEmailAsync(user.Email, _ct));
            if (byId?.Version != stored || byEmail?.Version != stored)
            {
                lost++;
            }
        }

        var failed = function.Invocations.Count(i => i.Answer.BatchItemFailures is { Count: > 0 });
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"| `{fault}` | {Rate} | {writes} | {reads} | {lost} | {stale} | {onFailure.Count} | {function.Invocations.Count} ({failed} with failures) | {proxy.Injected} / {proxy.Reads} |");
        Assert.True(proxy.Injected > 0, "no fault was injected");
        Assert.True(writes >= Writers * WritesEach / 2, $"{writes} writes");
        Assert.Equal(0, onFailure.Count);
        Assert.Equal((0, 0), (lost, stale));
        Assert.DoesNotContain(_logs.Lines, l => l.Message.Contains("@example.com", StringComparison.OrdinalIgnoreCase));
    }

    public void Dispose() => _logs.Dispose();

    /// <summary>template.yaml's mapping of the CacheInvalidation function: batches of 100, item failures, bisection, 5 retries.</summary>
    private static EventSourceMappingSettings TemplateSettings() => Emulation.Settings("CacheInvalidationFunction") with { MaximumRetryAttempts = 5 };

    private static async Task<long> StoredVersionAsync(TestTable table, Guid id)
    {
        var item = (await table.Admin.GetItemAsync(new GetItemRequest { TableName = table.Name, Key = Keys.User(id).ToAttributes(), ConsistentRead = true })).Item;
        return long.Parse(item[Attr.Version].N, System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed class CountingDestination : IOnFailureDestination
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task SendAsync(OnFailureRecord record, CancellationToken ct)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }
}
