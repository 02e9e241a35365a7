using Serverless.Data.Caching;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.Testing;
using Serverless.Testing.Domain;
using StackExchange.Redis;

namespace Serverless.Data.Tests.Caching;

/// <summary>
/// A fresh table and a user repository whose cache is the real redis-server of the run, under a key prefix of the test's
/// own, so tests never see each other's keys. The cache's clock is the real one (timeouts must fire).
/// </summary>
public abstract class CachedUsersTestBase(DynamoDbLocalFixture dynamo, RedisServerFixture redis) : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected TestTable Table { get; private set; } = null!;

    protected TableAccess Access { get; private set; } = null!;

    protected UserCache Cache { get; private set; } = null!;

    protected UserRepository Users { get; private set; } = null!;

    protected RedisServerFixture Redis => redis;

    protected DynamoDbLocalFixture Dynamo => dynamo;

    protected string Prefix { get; } = RedisServerFixture.UniquePrefix("users");

    /// <summary>Settings a test may change before <see cref="InitializeAsync"/> builds the cache.</summary>
    protected virtual CacheOptions Options => new() { Endpoint = redis.Endpoint, KeyPrefix = Prefix, OperationTimeout = RedisServerFixture.TestOperationTimeout };

    public virtual async ValueTask InitializeAsync()
    {
        Table = await TestTable.CreateAsync(dynamo, withStream: false, Ct);
        Access = new TableAccess(Table.Client, Table.Options(), TimeProvider.System);
        Cache = new UserCache(RedisCacheStore.Connect(Options), Options, TimeProvider.System);
        Users = new UserRepository(Access) { Cache = Cache };
        await Access.Privacy.KeysAsync(Ct);
        Table.Requests.Clear();
    }

    public virtual async ValueTask DisposeAsync()
    {
        Cache.Dispose();
        await Table.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected static User NewUser(string? email = null, string name = "Ada Lovelace") =>
        Samples.User(Guid.NewGuid(), email ?? $"u{Guid.NewGuid():N}@example.com", name) with { Version = 0 };

    protected Task<User> CreateAsync(User user) => Users.CreateAsync(user, "test:creator", Ct);

    /// <summary>Every key of this test in Redis, with its raw value.</summary>
    protected async Task<List<(string Key, byte[] Value)>> CachedAsync()
    {
        var server = redis.Connection.GetServers().First();
        var database = redis.Connection.GetDatabase();
        var found = new List<(string, byte[])>();
        await foreach (var key in server.KeysAsync(pattern: Prefix + "*"))
        {
            if (await database.StringGetAsync(key) is { HasValue: true } value)
            {
                found.Add((key.ToString(), (byte[])value!));
            }
        }

        return found;
    }

    protected async Task<CacheEntry?> EntryAsync(string key) =>
        await redis.Connection.GetDatabase().StringGetAsync(key) is { HasValue: true } value ? CacheEntry.Decode((byte[])value!) : null;

    /// <summary>DynamoDB calls the repository made since the last <see cref="TestTable.Requests"/> clear.</summary>
    protected IReadOnlyList<string> TableCalls => Table.Requests.Operations;

    protected static RedisKey Key(string key) => key;
}
