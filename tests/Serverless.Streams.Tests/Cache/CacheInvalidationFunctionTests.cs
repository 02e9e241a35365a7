using System.Text;
using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Caching;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.Streams.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Streams.Tests.Cache;

/// <summary>
/// The CacheInvalidation function against DynamoDB Local and a real redis-server, fed by the local event source mapping:
/// writes that bypass the API (a migration's UpdateItem, a delete) are invalidated once the function has seen them.
/// </summary>
public sealed class CacheInvalidationFunctionTests(DynamoDbLocalFixture dynamo, RedisServerFixture redis) : IDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly CapturedLogs _logs = new();
    private readonly CacheOptions _options = new() { Endpoint = redis.Endpoint, KeyPrefix = RedisServerFixture.UniquePrefix("invalidation"), OperationTimeout = RedisServerFixture.TestOperationTimeout };

    [Fact]
    public async Task Direct_table_writes_by_eight_writers_are_never_read_stale_by_thirty_two_readers_once_the_function_has_seen_them()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        using var cache = new UserCache(RedisCacheStore.Connect(_options), _options, TimeProvider.System);
        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System)) { Cache = cache };
        var created = new List<User>();
        foreach (var chunk in Enumerable.Range(0, 100).Chunk(10))
        {
            created.AddRange(await Task.WhenAll(chunk.Select(i => users.CreateAsync(TestData.NewUser(email: $"direct{i}@example.com"), "test", _ct))));
        }

        await using var function = Function(cache);
        await using var emulation = await Emulation.StartAsync(dynamo, table.Name, [(function.Recorded, Emulation.Settings("CacheInvalidationFunction"))], _ct);
        var committed = created.Select(u => u.Version).ToArray();
        var stale = 0;
        var reads = 0;
        var writes = 0;
        var writersLeft = 8;

        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var n = 0; n < 25; n++)
            {
                var at = random.Next(created.Count);
                var version = await DirectUserWrites.VersionBumpAsync(table, created[at].Id);
                if (version is null)
                {
                    continue;
                }

                // "Returned" for a writer behind the API's back is: the stream function has handled its change.
                await Eventually.WaitUntilAsync(async () => DirectUserWrites.Invalidated(await DirectUserWrites.EntryAsync(redis.Connection, cache.UserKey(created[at].Id)), version.Value), "the change was invalidated", _ct);
                DirectUserWrites.InterlockedMax(ref committed[at], version.Value);
                Interlocked.Increment(ref writes);
            }

            Interlocked.Decrement(ref writersLeft);
        }, _ct));
        var readers = Enumerable.Range(0, 32).Select(r => Task.Run(async () =>
        {
            var random = new Random(100 + r);
            while (Volatile.Read(ref writersLeft) > 0)
            {
                var at = random.Next(created.Count);
                var floor = Volatile.Read(ref committed[at]);
                var read = random.Next(3) == 0 ? await users.GetByEmailAsync(created[at].Email, _ct) : await users.GetAsync(created[at].Id, _ct);
                Interlocked.Increment(ref reads);
                if (read is null || read.Version < floor)
                {
                    Interlocked.Increment(ref stale);
                }
            }
        }, _ct));
        await Task.WhenAll(writers.Concat(readers));

        TestContext.Current.TestOutputHelper?.WriteLine($"{writes} direct writes, {reads} reads, {stale} stale");
        Assert.True(writes >= 150, $"{writes} writes");
        Assert.True(reads >= 1000, $"{reads} reads");
        Assert.Equal(0, stale);
    }

    [Fact]
    public async Task A_user_removed_behind_the_apis_back_is_no_longer_read_from_the_cache()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        using var cache = new UserCache(RedisCacheStore.Connect(_options), _options, TimeProvider.System);
        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System)) { Cache = cache };
        var user = await users.CreateAsync(TestData.NewUser(email: "gone@example.com"), "test", _ct);
        Assert.NotNull(await users.GetAsync(user.Id, _ct));
        Assert.NotNull(await users.GetByEmailAsync("gone@example.com", _ct));
        await using var function = Function(cache);
        await using var emulation = await Emulation.StartAsync(dynamo, table.Name, [(function.Recorded, Emulation.Settings("CacheInvalidationFunction"))], _ct);

        await table.Admin.DeleteItemAsync(new DeleteItemRequest { TableName = table.Name, Key = Keys.User(user.Id).ToAttributes() }, _ct);

        await Eventually.WaitUntilAsync(
            () => function.Recorded.Invocations.Any(i => i.Event.Records.Any(r => r.EventName == "REMOVE" && r.Dynamodb?.Keys?["PK"].S == Keys.User(user.Id).PK)),
            "the function has handled the removal", _ct);
        Assert.Equal(CacheEntryKind.Tombstone, (await DirectUserWrites.EntryAsync(redis.Connection, cache.UserKey(user.Id)))?.Kind);
        Assert.Null(await users.GetAsync(user.Id, _ct));
        Assert.Null(await users.GetByEmailAsync("gone@example.com", _ct));
        // The table's answer is remembered in place of the tombstone the reader found.
        Assert.Equal(CacheEntryKind.Negative, (await DirectUserWrites.EntryAsync(redis.Connection, cache.UserKey(user.Id)))?.Kind);
    }

    [Fact]
    public async Task A_cache_that_cannot_be_reached_fails_the_record_so_that_it_is_delivered_again()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var dead = new CacheOptions { Endpoint = "127.0.0.1:1", KeyPrefix = _options.KeyPrefix };
        using var cache = new UserCache(RedisCacheStore.Connect(dead), dead, TimeProvider.System);
        await using var function = Function(cache);
        await using var emulation = await Emulation.StartAsync(dynamo, table.Name, [(function.Recorded, Emulation.Settings("CacheInvalidationFunction"))], _ct);
        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));

        var user = await users.CreateAsync(TestData.NewUser(email: "retried@example.com"), "test", _ct);

        await Eventually.WaitUntilAsync(() => function.Recorded.Invocations.Count(i => Encoding.UTF8.GetString(i.Response).Contains("itemIdentifier", StringComparison.Ordinal)) >= 2,
            "the record failed and was delivered again", _ct);
        var profile = Keys.User(user.Id);
        Assert.True(function.Recorded.Records.Count(r => r.Dynamodb?.Keys?["PK"].S == profile.PK && r.Dynamodb.Keys["SK"].S == profile.SK) >= 2, "the user's record was delivered again");
        Assert.Contains(_logs.Lines, l => l.Message.Contains("CacheUnavailableException", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, l => l.Message.Contains("retried@example.com", StringComparison.OrdinalIgnoreCase));
    }

    public void Dispose() => _logs.Dispose();

    private OwnedFunction Function(UserCache cache) => new(StreamFunctions.CreateCacheInvalidation(cache, _logs.Factory));

    private sealed class OwnedFunction(Serverless.Lambda.Runtime.ILambdaFunction function) : IAsyncDisposable
    {
        public RecordedFunction Recorded { get; } = new(function);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
