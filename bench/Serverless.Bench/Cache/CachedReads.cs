using Serverless.Bench.Privacy;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Privacy;
using Serverless.Data.Users;
using Serverless.Domain.Users;

namespace Serverless.Bench.Cache;

/// <summary>
/// Get by id and by email through <see cref="UserRepository"/> with the user cache on, every user already cached,
/// against the same reads through a repository without cache on the same table and client, in alternating rounds.
/// </summary>
internal static class CachedReads
{
    private const string CachedById = "cached, by id";
    private const string UncachedById = "no cache, by id";
    private const string CachedByEmail = "cached, by email";
    private const string UncachedByEmail = "no cache, by email";

    public static async Task AddAsync(BenchContext context, RedisProcess redis, SectionResult section, CancellationToken ct)
    {
        var population = context.Quick ? 200 : 1000;
        var rounds = context.Quick ? 4 : 10;
        var perRound = context.Quick ? 100 : 300;

        var root = LocalRootKey.Ephemeral();
        var table = await context.CreateTableAsync("cache-reads", ct);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var users = Enumerable.Range(0, population).Select(n => PrivacyItems.Person(n, now)).ToList();
        var sealer = new UserItemSealer(await new FieldProtection(context.Client, table, root, TimeProvider.System).KeysAsync(ct));
        await RawWrites.BatchWriteAsync(context.Client, table, [.. users.SelectMany(u => sealer.ForUser(u, 1))], 8, ct);

        // One DynamoDB client for both sides, as one function instance has; each side its own repository (and keyring).
        using var client = context.CreateClient();
        using var cache = await CacheBench.ConnectAsync(redis, "bench-reads:", ct);
        var cached = new UserRepository(new TableAccess(client, PrivacyItems.Options(table), TimeProvider.System, root)) { Cache = cache };
        var uncached = new UserRepository(new TableAccess(client, PrivacyItems.Options(table), TimeProvider.System, root));

        // Warm: JIT, connections, keyrings, and every user read once by id and by email through both, so the cached
        // side holds every user's entry and email pointer.
        foreach (var user in users)
        {
            Expect(user, await cached.GetAsync(user.Id, ct));
            Expect(user, await cached.GetByEmailAsync(user.Email, ct));
            Expect(user, await uncached.GetAsync(user.Id, ct));
            Expect(user, await uncached.GetByEmailAsync(user.Email, ct));
        }

        using var counts = new CacheCounts();
        var result = await new Rounds()
            .Add(CachedById, perRound, async i => Expect(users[i % population], await cached.GetAsync(users[i % population].Id, ct)))
            .Add(UncachedById, perRound, async i => Expect(users[i % population], await uncached.GetAsync(users[i % population].Id, ct)))
            .Add(CachedByEmail, perRound, async i => Expect(users[i % population], await cached.GetByEmailAsync(users[i % population].Email, ct)))
            .Add(UncachedByEmail, perRound, async i => Expect(users[i % population], await uncached.GetByEmailAsync(users[i % population].Email, ct)))
            .RunAsync(rounds, ct);
        var metrics = counts.Describe();

        await context.DropTableAsync(table, ct);

        foreach (var (pattern, ours, baseline) in new[] { ("by id", CachedById, UncachedById), ("by email", CachedByEmail, UncachedByEmail) })
        {
            section.Rows.Add(new Row
            {
                Measure = $"get user {pattern}, warm: p50, cached / no cache",
                Ours = Format.Ms(result[ours].Median),
                Baseline = Format.Ms(result[baseline].Median) + " (UserCache.Off, same table)",
                Ratio = result[ours].Median / result[baseline].Median,
                Goal = Goal.Max(0.5, "<= 0.5"),
            });
            section.Rows.Add(new Row
            {
                Measure = $"get user {pattern}, warm: p99, cached / no cache",
                Ours = Format.Ms(result[ours].P99),
                Baseline = Format.Ms(result[baseline].P99),
                Ratio = result[ours].P99 / result[baseline].P99,
            });
        }

        section.Details.Add(
            $"Reads, {rounds} alternating rounds of {perRound} sequential calls per side over {population} sealed users: "
            + string.Join("; ", result.Select(r => $"{r.Key} p50 {Format.Ms(r.Value.Median)}, p99 {Format.Ms(r.Value.P99)} (rounds' p50 ±{r.Value.Noise:P0})"))
            + $". Cache metrics over the rounds: {metrics}.");
        section.Details.Add(
            "A cached read by id is one Redis GET, the user's key from memory (or its GetItem beside the GET), and the decryption; by email "
            + "it is two GETs (the email's pointer, then the user's entry) in place of the email index's one Query: "
            + "one round trip more, each to Redis instead of DynamoDB.");

        foreach (var row in section.Rows.Where(r => r.Verdict.StartsWith("missed", StringComparison.Ordinal)))
        {
            section.Notes.Add(
                $"**{row.Measure}** {row.Verdict}: {row.Ours} against {row.Baseline}. What a hit still costs besides the Redis round trip "
                + "(loopback, one StackExchange.Redis multiplexer) is the repository's own work in process: the email's blind index, the user's "
                + "key and the decryption of the sealed fields, which the uncached side pays too; DynamoDB Local on loopback answers a GetItem "
                + "in about a millisecond, so the share the cache can remove is smaller here than against DynamoDB over a network.");
        }
    }

    private static void Expect(User expected, User? found)
    {
        if (found is null || found.Id != expected.Id || found.Email != expected.Email)
        {
            // Names the user by id only: the email is PII.
            throw new InvalidOperationException($"A read of user {expected.Id} did not return that user.");
        }
    }
}
