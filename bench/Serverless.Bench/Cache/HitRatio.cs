using System.Globalization;
using Serverless.Bench.Privacy;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Caching;
using Serverless.Data.Privacy;
using Serverless.Data.Users;

namespace Serverless.Bench.Cache;

/// <summary>
/// The user cache's hit ratio at steady state on a Zipf(s = 1.0) workload: gets by id of users drawn by popularity
/// from 100,000 sealed users (10,000 in quick mode), counted from the cache's own metrics after a warm-up of five
/// reads per user. The TTL is the shipped hour, so nothing expires during the run: steady state is after the warm-up.
/// </summary>
internal static class HitRatio
{
    private const double Exponent = 1.0;
    private const int Concurrency = 8;

    public static async Task AddAsync(BenchContext context, RedisProcess redis, SectionResult section, CancellationToken ct)
    {
        var population = context.Quick ? 10_000 : 100_000;
        // Steady state: a warm-up of five reads per user, so the users a Zipf(1.0) draw reaches at all have been read once;
        // what still misses after it is mostly the far tail's first reads.
        var warmUp = 5 * population;
        var measured = population;

        var root = LocalRootKey.Ephemeral();
        var table = await context.CreateTableAsync("cache-zipf", ct);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var users = Enumerable.Range(0, population).Select(n => PrivacyItems.Person(n, now)).ToList();
        var sealer = new UserItemSealer(await new FieldProtection(context.Client, table, root, TimeProvider.System).KeysAsync(ct));
        // A read by id needs the user item and its key item only (the first two the sealer gives): the email marker and
        // the word and city items would triple the writes and no read here touches them.
        var seeding = await RawWrites.BatchWriteAsync(context.Client, table, [.. users.SelectMany(u => sealer.ForUser(u, 1).Take(2))], 8, ct);

        using var client = context.CreateClient();
        using var cache = await CacheBench.ConnectAsync(redis, "bench-zipf:", ct);
        var repository = new UserRepository(new TableAccess(client, PrivacyItems.Options(table), TimeProvider.System, root)) { Cache = cache };

        // Rank r (1 = most popular) is read with probability r^-s / H(N, s); ranks are dealt to users at random.
        var zipf = new Zipf(population, Exponent);
        var random = new Random(18);
        var byRank = users.OrderBy(_ => random.Next()).ToArray();
        var draws = Enumerable.Range(0, warmUp + measured).Select(_ => byRank[zipf.Sample(random)].Id).ToArray();

        await ReadAllAsync(repository, draws.AsMemory(0, warmUp), ct);
        long hits, misses, errors;
        var distinct = draws.Take(warmUp).Distinct().Count();
        using (var counts = new CacheCounts())
        {
            await ReadAllAsync(repository, draws.AsMemory(warmUp), ct);
            (hits, misses, errors) = (counts.Hits(CacheTelemetry.UserCache), counts.Misses(CacheTelemetry.UserCache), counts.Errors);
        }

        await context.DropTableAsync(table, ct);

        var ratio = hits / (double)(hits + misses);
        // What a cache that never evicts nor fails can reach on these very draws: a read misses only the first time its user is drawn.
        var seen = new HashSet<Guid>(draws.Take(warmUp));
        var firstTimes = draws.Skip(warmUp).Count(seen.Add);
        var ceiling = 1 - firstTimes / (double)measured;
        section.Rows.Add(new Row
        {
            Measure = $"hit ratio, Zipf(s = 1.0) over {population:#,0} users, steady state (user entries)",
            Ours = ratio.ToString("0.000", CultureInfo.InvariantCulture),
            Baseline = $"{ceiling.ToString("0.000", CultureInfo.InvariantCulture)} (these draws, a cache that never evicts)",
            Ratio = ratio,
            Goal = Goal.Min(0.9, ">= 0.9"),
        });
        section.Details.Add(
            $"Hit ratio: {Format.Count(population)} sealed users written by BatchWriteItem in {seeding.TotalSeconds:0.0} s (user and key items as the "
            + $"repository stores them); {Format.Count(warmUp)} warm-up reads ({Format.Count(distinct)} distinct users), then {Format.Count(measured)} "
            + $"measured gets by id, {Concurrency} at a time, through one UserRepository: {Format.Count(hits)} hits, {Format.Count(misses)} misses, "
            + $"{Format.Count(errors)} failed cache calls. Of the measured reads, {Format.Count(firstTimes)} drew a user never drawn before, "
            + $"which no cache can serve: the ceiling on these draws is {ceiling:0.000}.");

        if (ratio < 0.9)
        {
            var otherMisses = Math.Max(0, misses - firstTimes);
            // Past this rank a user is drawn less than once, on average, in the whole run.
            var onceRank = (int)((warmUp + measured) / zipf.Normalizer);
            section.Notes.Add(
                $"**hit ratio** {ratio:0.000} against the goal of 0.9. With s = 1.0 over {population:#,0} users the tail is long: each user "
                + $"past the {Format.Count(onceRank)} most popular is drawn less than once, on average, in the run's {Format.Count(warmUp + measured)} "
                + $"reads (the warm-up drew {Format.Count(distinct)} distinct users), and a user's first read misses whatever the cache does. "
                + $"{Format.Count(firstTimes)} of the {Format.Count(measured)} measured reads were such first reads (ceiling {ceiling:0.000}); "
                + $"misses beyond those: {Format.Count(otherMisses)} (failed or timed-out cache calls: {Format.Count(errors)}; concurrent first "
                + "reads of one user count one miss each). The ratio is bounded by how often a user is read again within its entry's hour "
                + $"(Cache:UserTtl): this run reads each user {(warmUp + measured) / (double)population:0.#} times on average; the goal needs "
                + "more reads per user per hour than that.");
        }
    }

    private static Task ReadAllAsync(UserRepository repository, ReadOnlyMemory<Guid> ids, CancellationToken ct)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < ids.Length; i = Interlocked.Increment(ref next))
            {
                var id = ids.Span[i];
                if (await repository.GetAsync(id, ct) is not { } user || user.Id != id)
                {
                    throw new InvalidOperationException($"A read of user {id} did not return that user.");
                }
            }
        }, ct)));
    }

    /// <summary>Ranks 0..n-1 drawn with probability (rank + 1)^-s / H(n, s), by inverting the cumulative distribution.</summary>
    private sealed class Zipf
    {
        private readonly double[] _cumulative;

        /// <summary>H(n, s): the sum of every rank's weight.</summary>
        public double Normalizer { get; }

        public Zipf(int n, double s)
        {
            _cumulative = new double[n];
            var sum = 0.0;
            for (var k = 0; k < n; k++)
            {
                sum += Math.Pow(k + 1, -s);
                _cumulative[k] = sum;
            }

            for (var k = 0; k < n; k++)
            {
                _cumulative[k] /= sum;
            }

            Normalizer = sum;
        }

        public int Sample(Random random)
        {
            var u = random.NextDouble();
            var at = Array.BinarySearch(_cumulative, u);
            return Math.Min(at >= 0 ? at : ~at, _cumulative.Length - 1);
        }
    }
}
