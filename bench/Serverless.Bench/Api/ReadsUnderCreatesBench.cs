using System.Net.Http.Headers;
using System.Net;
using System.Text;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Infrastructure.Passwords;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Users;

namespace Serverless.Bench.Api;

/// <summary>
/// What a burst of user creates (each hashing a password with PBKDF2, about half a second of a core) does to the
/// reads beside it on one Kestrel host, with the password-hash limiter off (every hash at once, as before it existed)
/// and on (the shipped default). Each side's baseline is the same reads on the same host with nothing else running,
/// measured in the same round, so the ratio says what the creates took from the reads.
/// </summary>
public static class ReadsUnderCreatesBench
{
    public const string Key = "reads-under-creates";

    private const int Readers = 8;

    private const int Creators = 8;

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    public static async Task<SectionResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var table = await context.CreateTableAsync("reads-under-creates", ct);
        var options = new TableOptions { TableName = table, CursorSigningKey = ApiHost.CursorKey };
        var users = new UserRepository(new TableAccess(context.Client, options, TimeProvider.System));
        var population = context.Quick ? 200 : 1000;
        var stored = new List<Guid>(population);
        await Parallel.ForEachAsync(Enumerable.Range(0, population), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (n, token) =>
        {
            var user = await users.CreateAsync(BenchUsers.Create(n, DateTimeOffset.UtcNow), "bench", token);
            lock (stored)
            {
                stored.Add(user.Id);
            }
        });

        var token = DevAuth.CreateToken("bench-user", [Scopes.Read, Scopes.Write], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);
        await using var off = await Side.StartAsync("off", context.ServiceUrl, table, token, limit: false, ct);
        await using var on = await Side.StartAsync("on", context.ServiceUrl, table, token, limit: true, ct);
        var limit = on.Host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PasswordHashingOptions>>().Value;

        var window = context.Quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(8);
        var rounds = context.Quick ? 1 : 3;
        foreach (var side in new[] { off, on })
        {
            await side.WarmAsync(stored, ct);
        }

        for (var round = 0; round < rounds; round++)
        {
            // Alternate which side goes first, so a slow stretch of the machine lands on both.
            foreach (var side in round % 2 == 0 ? new[] { off, on } : [on, off])
            {
                side.Alone.Add(await side.ReadAsync(stored, window, ct));
                side.UnderCreates.Add(await side.ReadWhileCreatingAsync(stored, window, ct));
            }
        }

        await context.DropTableAsync(table, ct);

        var section = new SectionResult
        {
            Key = Key,
            Title = "Reads while users are created",
            Quick = context.Quick,
            Method =
                $"One API host on Kestrel per side, over one table of {population} users: `GET /users/{{id}}` in a closed loop at concurrency {Readers} "
                + $"for {window.TotalSeconds:0} s alone, then for {window.TotalSeconds:0} s while {Creators} clients create users back to back "
                + $"(each create hashes a password: PBKDF2-SHA256, 600,000 iterations). Limiter off: every hash runs at once, as before the limit "
                + $"existed; on: the shipped default ({limit.EffectiveMaxConcurrent} at once on {Environment.ProcessorCount} cores, queue {limit.QueueLimit}, "
                + $"wait {limit.QueueTimeout.TotalSeconds:0} s). {rounds} round(s), sides alternated; each ratio is reads/s under creates over reads/s "
                + $"alone on the same host in the same run. A read slower than {ReadTimeout.TotalSeconds:0} s counts as timed out. The machine is "
                + "shared with other work while this runs, so the figures are noisy: read them as measured.",
        };

        var offRatio = off.ReadRate(under: true) / off.ReadRate(under: false);
        var onRatio = on.ReadRate(under: true) / on.ReadRate(under: false);
        section.Rows.Add(new Row
        {
            Measure = "GET /users/{id} while 8 creates run, limiter off (before): reads/s",
            Ours = Format.Rate(off.ReadRate(under: true), "req"),
            Baseline = Format.Rate(off.ReadRate(under: false), "req") + " (no creates)",
            Ratio = offRatio,
        });
        section.Rows.Add(new Row
        {
            Measure = "GET /users/{id} while 8 creates run, limiter on (after): reads/s",
            Ours = Format.Rate(on.ReadRate(under: true), "req"),
            Baseline = Format.Rate(on.ReadRate(under: false), "req") + " (no creates)",
            Ratio = onRatio,
            Goal = Goal.Min(0.25, ">= 0.25"),
        });
        section.Rows.Add(new Row
        {
            Measure = "creates/s while reads run, limiter on / off",
            Ours = Format.Rate(on.CreateRate, "req"),
            Baseline = Format.Rate(off.CreateRate, "req") + " (limiter off)",
            Ratio = on.CreateRate / off.CreateRate,
        });

        foreach (var side in new[] { off, on })
        {
            var alone = LoadResult.Combine(side.Alone);
            var under = LoadResult.Combine(side.UnderCreates.Select(u => u.Reads).ToList());
            section.Details.Add(
                $"limiter {side.Name}: reads alone p50 {Format.Ms(alone.Latency.Median)}, p99 {Format.Ms(alone.Latency.P99)}, {Format.Rate(alone.Throughput, "req")}; "
                + $"while creating p50 {Format.Ms(under.Latency.Median)}, p99 {Format.Ms(under.Latency.P99)}, {Format.Rate(under.Throughput, "req")}, "
                + $"{Format.Count(side.Timeouts)} timed out; creates {Format.Count(side.UnderCreates.Sum(u => u.Created))} "
                + $"({Format.Rate(side.CreateRate, "req")}), {Format.Count(side.UnderCreates.Sum(u => u.Refused))} refused with 503");
        }

        section.Details.Add("Issue 12 reported, on this kind of machine: about 940 reads/s alone and 6 reads/s with timeouts while 8 creates ran, limiter off (ratio 0.006).");
        if (onRatio < 0.25)
        {
            section.Notes.Add(
                $"**limiter on** misses its goal: reads kept {Format.Ratio(onRatio)} of their rate. The limiter leaves "
                + $"{Environment.ProcessorCount - limit.EffectiveMaxConcurrent} of {Environment.ProcessorCount} cores to everything else, but the reads share "
                + "them with DynamoDB Local, the load generator and whatever else runs on the machine, so the share left to reads falls below the cores' share.");
        }

        return section;
    }

    /// <summary>One host, its clients, and what was measured on it.</summary>
    private sealed class Side : IAsyncDisposable
    {
        private readonly HttpClient _reads;
        private readonly HttpClient _creates;
        private int _timeouts;

        private Side(string name, ApiHost host, string token)
        {
            Name = name;
            Host = host;
            _reads = Client(host, token, Readers);
            _reads.Timeout = ReadTimeout;
            _creates = Client(host, token, Creators);
        }

        public string Name { get; }

        public ApiHost Host { get; }

        public List<LoadResult> Alone { get; } = [];

        public List<(LoadResult Reads, int Created, int Refused, TimeSpan Elapsed)> UnderCreates { get; } = [];

        public int Timeouts => _timeouts;

        public double CreateRate => UnderCreates.Sum(u => u.Created) / UnderCreates.Sum(u => u.Elapsed.TotalSeconds);

        public double ReadRate(bool under) => under
            ? LoadResult.Combine(UnderCreates.Select(u => u.Reads).ToList()).Throughput
            : LoadResult.Combine(Alone).Throughput;

        public static async Task<Side> StartAsync(string name, Uri dynamoDb, string table, string token, bool limit, CancellationToken ct)
        {
            var host = await ApiHost.StartAsync(dynamoDb, table, ct, builder => builder.Configuration.AddInMemoryCollection(
                new Dictionary<string, string?> { ["PasswordHashing:Limit"] = limit ? "true" : "false" }));
            return new Side(name, host, token);
        }

        public async Task WarmAsync(IReadOnlyList<Guid> stored, CancellationToken ct)
        {
            for (var i = 0; i < 2 * Readers; i++)
            {
                await ReadOneAsync(stored, i, ct);
            }

            for (var i = 0; i < 2; i++)
            {
                await CreateOneAsync(ct);
            }
        }

        public Task<LoadResult> ReadAsync(IReadOnlyList<Guid> stored, TimeSpan window, CancellationToken ct) =>
            Load.RunForAsync(Readers, window, (i, t) => ReadOneAsync(stored, i, t), ct);

        public async Task<(LoadResult, int, int, TimeSpan)> ReadWhileCreatingAsync(IReadOnlyList<Guid> stored, TimeSpan window, CancellationToken ct)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var created = 0;
            var refused = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var creators = Enumerable.Range(0, Creators).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var outcome = await CreateOneAsync(stop.Token);
                        if (outcome.Created)
                        {
                            Interlocked.Increment(ref created);
                        }
                        else
                        {
                            Interlocked.Increment(ref refused);
                            await Task.Delay(outcome.RetryAfter, stop.Token);
                        }
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            })).ToArray();

            // Let every creator have a hash under way before the reads are counted.
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var reads = await ReadAsync(stored, window, ct);
            var counted = Volatile.Read(ref created);
            var elapsed = clock.Elapsed;
            await stop.CancelAsync();
            await Task.WhenAll(creators);
            return (reads, counted, Volatile.Read(ref refused), elapsed);
        }

        private async Task ReadOneAsync(IReadOnlyList<Guid> stored, int i, CancellationToken ct)
        {
            try
            {
                using var response = await _reads.GetAsync($"/users/{stored[i % stored.Count]}", ct);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"GET /users/{{id}} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                }

                _ = await response.Content.ReadAsByteArrayAsync(ct);
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // HttpClient's timeout: the read took longer than a client would wait.
                Interlocked.Increment(ref _timeouts);
            }
        }

        private async Task<(bool Created, TimeSpan RetryAfter)> CreateOneAsync(CancellationToken ct)
        {
            var n = Guid.NewGuid().ToString("N");
            using var body = new StringContent(
                $$"""{"email":"burst.{{n}}@example.com","name":"Burst User","password":"correct horse battery staple","addresses":[{"type":"home","street":"1 Main St","city":"Porto","country":"PT","isDefault":true}]}""",
                Encoding.UTF8, "application/json");
            using var response = await _creates.PostAsync("/users", body, ct);
            return response.StatusCode switch
            {
                HttpStatusCode.Created => (true, TimeSpan.Zero),
                HttpStatusCode.ServiceUnavailable => (false, response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1)),
                _ => throw new InvalidOperationException($"POST /users answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}"),
            };
        }

        private static HttpClient Client(ApiHost host, string token, int connections)
        {
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false }) { BaseAddress = host.Address };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            _reads.Dispose();
            _creates.Dispose();
            await Host.DisposeAsync();
        }
    }
}
