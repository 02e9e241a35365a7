using Serverless.Data.Caching;
using Serverless.Data.Users;
using Serverless.Domain;
using Serverless.Domain.Users;
using Serverless.Testing;

namespace Serverless.Data.Tests.Caching;

/// <summary>
/// The cache under concurrent writers and readers: once a write has returned, no read returns an older version, and a
/// Redis that dies and comes back fails no request.
/// </summary>
public sealed class CacheConsistencyTests(DynamoDbLocalFixture dynamo, RedisServerFixture redis) : CachedUsersTestBase(dynamo, redis)
{
    [Fact]
    public async Task Eight_writers_and_thirty_two_readers_never_read_a_version_older_than_a_returned_write()
    {
        var users = await CreateUsersAsync(100);
        var load = new Load(users);
        // Reads handed back up to 20 ms late widen the race a missing version guard would lose (it then reads stale).
        using var slow = SlowReads.Client(Dynamo, TimeSpan.FromMilliseconds(20));
        var access = new TableAccess(slow, Table.Options(), TimeProvider.System);
        var repository = new UserRepository(access) { Cache = Cache };

        using var hits = new HitCounter();

        // 2,000 writes; the readers read until the writers are done, at least 8,000 times.
        await load.RunAsync(repository, new UserRepository(access), writers: 8, readers: 32, operations: 10_000, Ct);

        TestContext.Current.TestOutputHelper?.WriteLine(load.Summary());
        Assert.Equal(0, load.Failures);
        Assert.Equal(0, load.Stale);
        Assert.True(load.Writes + load.Conflicts == 2_000 && load.Writes >= 1_000, load.Summary());
        Assert.True(load.Done >= 10_000, load.Summary());
        TestContext.Current.TestOutputHelper?.WriteLine($"cache hits: {hits.Count}");
        Assert.True(hits.Count > load.Reads / 2, $"{hits.Count} cache hits; " + load.Summary());
    }

    [Fact]
    public async Task Killing_redis_during_reads_and_writes_fails_no_request_and_the_cache_is_used_again_after_it_restarts()
    {
        // A server of this test's own: the assembly's is shared with classes running meanwhile.
        var own = new RedisServerFixture();
        await own.InitializeAsync();
        try
        {
            var options = new CacheOptions
            {
                Endpoint = own.Endpoint, KeyPrefix = Prefix, BreakDuration = TimeSpan.FromMilliseconds(300), FailuresToBreak = 3,
            };
            using var cache = new UserCache(RedisCacheStore.Connect(options), options, TimeProvider.System);
            var repository = new UserRepository(Access) { Cache = cache };
            var users = await CreateUsersAsync(40, repository);
            var load = new Load(users);
            var run = load.RunAsync(repository, new UserRepository(Access), writers: 4, readers: 12, operations: 4_000, Ct);

            await Eventually.WaitUntilAsync(() => load.Done >= 1_000, "a quarter of the load has run", Ct);
            await own.StopAsync();
            var killedAt = load.Done;
            await Eventually.WaitUntilAsync(() => load.Done >= killedAt + 1_000, "a quarter more ran without Redis", Ct);
            await own.StartAsync();
            await run;

            TestContext.Current.TestOutputHelper?.WriteLine(load.Summary());
            Assert.Equal(0, load.Failures);
            Assert.Equal(0, load.Stale);
            // Back in use: a user read twice is served by the cache the second time.
            var id = users[0].Id;
            await Eventually.WaitUntilAsync(
                async () =>
                {
                    await repository.GetAsync(id, Ct);
                    return (await cache.GetUserAsync(id, _ => throw new InvalidOperationException("read from the table"), Ct)).FromCache;
                },
                "the restarted Redis serves reads again",
                Ct);
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    private async Task<List<User>> CreateUsersAsync(int count, UserRepository? repository = null)
    {
        var created = new List<User>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(10))
        {
            created.AddRange(await Task.WhenAll(chunk.Select(_ => (repository ?? Users).CreateAsync(NewUser(), "test:creator", Ct))));
        }

        return created;
    }

    /// <summary>
    /// Writers rename random users (If-Match on the version they read); readers read random users by id or by email and
    /// check the version against the newest one a write has returned before the read began.
    /// </summary>
    private sealed class Load(List<User> users)
    {
        private readonly long[] _committed = [.. users.Select(u => u.Version)];
        private int _done;
        private int _writeAttempts;
        private int _conflicts;
        private int _writersLeft;
        private int _failures;
        private int _stale;
        private int _writes;
        private int _reads;
        private string? _firstFailure;

        public int Done => Volatile.Read(ref _done);

        public int Failures => _failures;

        public int Stale => _stale;

        public int Writes => _writes;

        public int Conflicts => _conflicts;

        public int Reads => _reads;


        public string Summary() =>
            $"{_done} operations: {_writes} writes ({_conflicts} more refused as conflicts), {_reads} reads, {_stale} stale reads, {_failures} failures{(_firstFailure is null ? "" : " (first: " + _firstFailure + ")")}";

        /// <summary>A fifth of <paramref name="operations"/> are write attempts; the readers read until the writers are done, and at least the rest.</summary>
        /// <param name="writerReads">Where a writer reads the version it writes against: the table itself (no cache), as a writer in another process would.</param>
        public async Task RunAsync(UserRepository repository, UserRepository writerReads, int writers, int readers, int operations, CancellationToken ct)
        {
            var table = writerReads;
            _writersLeft = writers;
            var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(repository, table, operations, new Random(w), ct), ct))
                .Concat(Enumerable.Range(0, readers).Select(r => Task.Run(() => ReadAsync(repository, operations, new Random(1000 + r), ct), ct)));
            await Task.WhenAll(tasks);
        }

        private async Task WriteAsync(UserRepository repository, UserRepository table, int operations, Random random, CancellationToken ct)
        {
            while (Interlocked.Increment(ref _writeAttempts) <= operations / 5)
            {
                Interlocked.Increment(ref _done);
                var at = random.Next(users.Count);
                try
                {
                    var current = await table.GetAsync(users[at].Id, ct) ?? throw new InvalidOperationException("a user vanished");
                    var written = await repository.UpdateAsync(current with { Name = "Name " + random.Next(1_000_000) }, current.Version, "test:writer", ct);
                    Raise(ref _committed[at], written.Version);
                    Interlocked.Increment(ref _writes);
                }
                catch (ConcurrencyException)
                {
                    // Another writer got there first: the user moved on, nothing to check.
                    Interlocked.Increment(ref _conflicts);
                }
                catch (Exception e)
                {
                    Fail(e);
                }
            }

            Interlocked.Decrement(ref _writersLeft);
        }

        private async Task ReadAsync(UserRepository repository, int operations, Random random, CancellationToken ct)
        {
            var reads = operations - (operations / 5);
            while (Volatile.Read(ref _writersLeft) > 0 || Volatile.Read(ref _reads) < reads)
            {
                Interlocked.Increment(ref _done);
                var at = random.Next(users.Count);
                var floor = Volatile.Read(ref _committed[at]);
                try
                {
                    var read = random.Next(3) == 0
                        ? await repository.GetByEmailAsync(users[at].Email, ct)
                        : await repository.GetAsync(users[at].Id, ct);
                    Interlocked.Increment(ref _reads);
                    if (read is null || read.Version < floor)
                    {
                        Interlocked.Increment(ref _stale);
                    }
                }
                catch (Exception e)
                {
                    Fail(e);
                }
            }
        }

        private void Fail(Exception e)
        {
            Interlocked.Increment(ref _failures);
            Interlocked.CompareExchange(ref _firstFailure, e.GetType().Name + ": " + e.Message, null);
        }

        private static void Raise(ref long slot, long value)
        {
            var seen = Volatile.Read(ref slot);
            while (value > seen)
            {
                var was = Interlocked.CompareExchange(ref slot, value, seen);
                if (was == seen)
                {
                    return;
                }

                seen = was;
            }
        }
    }

    /// <summary>Counts the cache's hits (the data layer's CacheHits metric) while it lives.</summary>
    private sealed class HitCounter : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private long _count;

        public HitCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Serverless.Data.Client.DynamoDbTelemetry.MeterName && instrument.Name == CacheTelemetry.HitsMetric)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
