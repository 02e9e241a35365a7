using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Infrastructure.Http;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Caching;
using Serverless.Data.Client;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Metrics;

namespace Serverless.Bench.Observability;

/// <summary>
/// What the request telemetry costs through the API as a client calls it: <c>GET /users/{id}</c> over HTTP on loopback
/// to the API on Kestrel, with the access line (the project's JSON logger) and the metrics (a per-request collector
/// flushed as EMF, as the Lambda loop does per invocation) on, against the same API with <c>Api:RequestTelemetry</c>
/// off and no collector. Both hosts in this process, rounds alternated; CPU of this process per request and p50.
/// </summary>
public static class ApiTelemetryBench
{
    public const string Key = "api-telemetry";

    public const string Title = "Telemetry cost through the API";

    private const int Concurrency = 8;

    public static async Task<SectionResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var table = await context.CreateTableAsync("api-telemetry", ct);
        var users = new UserRepository(new TableAccess(context.Client, new TableOptions { TableName = table, CursorSigningKey = ApiHost.CursorKey }, TimeProvider.System));
        var ids = new List<Guid>();
        for (var n = 0; n < (context.Quick ? 50 : 200); n++)
        {
            ids.Add((await users.CreateAsync(BenchUsers.Create(n, DateTimeOffset.UtcNow), "bench", ct)).Id);
        }

        using var metrics = new LambdaMetrics(new LambdaMetricsOptions { Output = Stream.Null });
        var token = DevAuth.CreateToken("bench-user", [Scopes.Read], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);
        await using var on = await Side.StartAsync("on", context.ServiceUrl, table, token, telemetry: true, metrics, accessLines: true, ct);
        await using var off = await Side.StartAsync("off", context.ServiceUrl, table, token, telemetry: false, metrics: null, accessLines: true, ct);
        await using var metricsOnly = await Side.StartAsync("metrics only", context.ServiceUrl, table, token, telemetry: true, metrics, accessLines: false, ct);
        await using var accessOnly = await Side.StartAsync("access lines only", context.ServiceUrl, table, token, telemetry: true, metrics: null, accessLines: true, ct);
        // The same as off on a host of its own: how far two identical sides differ here, the figures' noise floor.
        await using var off2 = await Side.StartAsync("off (another host)", context.ServiceUrl, table, token, telemetry: false, metrics: null, accessLines: true, ct);
        // The middleware with neither of its outputs (the access line's category at Warning, no collector): what both share.
        await using var middlewareOnly = await Side.StartAsync("middleware only", context.ServiceUrl, table, token, telemetry: true, metrics: null, accessLines: false, ct);
        Side[] sides = [on, off, metricsOnly, accessOnly, off2, middlewareOnly];
        metrics.Allow(RequestMetrics.DimensionsOf(on.Host.Services.GetRequiredService<EndpointDataSource>())
            .Concat(DynamoDbTelemetry.MetricDimensions)
            .Concat(CacheTelemetry.MetricDimensions));

        Func<int, CancellationToken, Task> Get(HttpClient http) => async (i, t) =>
        {
            using var response = await http.GetAsync($"/users/{ids[i % ids.Count]}", t);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET /users/{{id}} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(t)}");
            }

            _ = await response.Content.ReadAsByteArrayAsync(t);
        };

        // Many short rounds rather than a few long ones: this machine's speed drifts by more than the 5 % looked for
        // over a minute, and a ratio taken within each round (every side ran in it, seconds apart) cancels the drift.
        var requests = context.Quick ? 250 : 1000;
        var rounds = context.Quick ? 16 : 32;
        // Warm every side (connections, the keyring and the users' keys) until the JIT is done with them all before
        // anything counts.
        var warmup = await JitWarmup.RunAsync(
            async () =>
            {
                foreach (var side in sides)
                {
                    await Load.RunAsync(Concurrency, 500, Get(side.Http), ct);
                }
            },
            context.Quick ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(120));
        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();

        for (var round = 0; round < rounds; round++)
        {
            // The order rotated each round, so a slow stretch of the machine lands on every side in turn.
            for (var k = 0; k < sides.Length; k++)
            {
                var side = sides[(k + round) % sides.Length];
                var allocated = GC.GetTotalAllocatedBytes(precise: false);
                var collections = GC.CollectionCount(0);
                side.Rounds.Add(await Load.RunAsync(Concurrency, requests, Get(side.Http), ct, context.Cpu));
                side.Allocated.Add((GC.GetTotalAllocatedBytes(precise: false) - allocated) / (double)requests);
                side.Collections += GC.CollectionCount(0) - collections;
            }
        }

        var jitDuring = JitWarmup.CompilationSince(jitBefore);
        await context.DropTableAsync(table, ct);

        // Per round, then the median of the rounds: one disturbed round moves a median less than a total. The ratios are
        // the medians of each round's own ratio, the drift between rounds cancelled.
        var onCpu = on.Cpu;
        var offCpu = off.Cpu;
        double PairedRatio(Side side) => new Stats(Enumerable.Range(0, rounds).Select(r => side.Rounds[r].SelfCpuPerOperation!.Value / off.Rounds[r].SelfCpuPerOperation!.Value)).Median;
        var onRatio = PairedRatio(on);
        var onAll = LoadResult.Combine(on.Rounds);
        var offAll = LoadResult.Combine(off.Rounds);
        var section = new SectionResult
        {
            Key = Key,
            Title = Title,
            Quick = context.Quick,
            Method =
                $"`GET /users/{{id}}` over HTTP on loopback to the API on Kestrel (bearer JWT validated per request, JSON, one GetItem), closed loop at "
                + $"concurrency {Concurrency}, {rounds} alternating rounds of {requests} requests a side over {ids.Count} users, both hosts in this process. "
                + "On: the shipped request telemetry (access line through the project's JSON logger at Information, to a null stream; the request "
                + "metrics and the DynamoDB metrics gathered by a per-request collector and written as EMF to a null stream, as the Lambda loop does per "
                + "invocation). Off: `Api:RequestTelemetry=false` (no access line, no request metrics, no correlation id) and no collector; the same "
                + "logger, at the same level; and each of the two alone (metrics only: the access line's category at Warning). The data layer's own "
                + "instruments and consumed-capacity accounting run on every side (they are not optional). A fifth host is off again: its ratio to off is the noise floor of these figures; "
                + "a sixth runs the middleware with neither output (no access line, no collector): what the two share. Six hosts, "
                + $"{warmup.Describe()}, {jitDuring.TotalMilliseconds:0} ms of JIT time during the measured rounds; the order rotated each round; "
                + "CPU of this process (HTTP client and API together) per request, median of the rounds; each ratio the median of the rounds' own "
                + "ratios (a side against the side without telemetry in the same round); p50 over every request.",
            Rows =
            {
                new Row
                {
                    Measure = "CPU per request, telemetry on / off",
                    Ours = $"{onCpu.Median:0.0} µs",
                    Baseline = $"{offCpu.Median:0.0} µs",
                    Ratio = onRatio,
                    Goal = Goal.Max(1.05, "<= 1.05"),
                },
                new Row
                {
                    Measure = "p50 latency, telemetry on / off",
                    Ours = Format.Ms(onAll.Latency.Median),
                    Baseline = Format.Ms(offAll.Latency.Median),
                    Ratio = onAll.Latency.Median / offAll.Latency.Median,
                },
                new Row { Measure = "CPU per request, metrics only / off", Ours = $"{metricsOnly.Cpu.Median:0.0} µs", Baseline = $"{offCpu.Median:0.0} µs", Ratio = PairedRatio(metricsOnly) },
                new Row { Measure = "CPU per request, off on another host / off", Ours = $"{off2.Cpu.Median:0.0} µs", Baseline = $"{offCpu.Median:0.0} µs", Ratio = PairedRatio(off2) },
                new Row { Measure = "CPU per request, middleware only / off", Ours = $"{middlewareOnly.Cpu.Median:0.0} µs", Baseline = $"{offCpu.Median:0.0} µs", Ratio = PairedRatio(middlewareOnly) },
                new Row { Measure = "CPU per request, access lines only / off", Ours = $"{accessOnly.Cpu.Median:0.0} µs", Baseline = $"{offCpu.Median:0.0} µs", Ratio = PairedRatio(accessOnly) },
            },
        };
        section.Details.Add("CPU per request by round (µs), " + string.Join("; ", sides.Select(side =>
            $"{side.Name}: {string.Join(", ", side.Rounds.Select(r => $"{r.SelfCpuPerOperation!.Value * 1000:0}"))}")) + ".");
        section.Details.Add("Bytes allocated per request (median of the rounds, HTTP client and API together) and gen0 collections over the rounds, "
            + string.Join("; ", sides.Select(side => $"{side.Name}: {new Stats(side.Allocated).Median / 1024:0.0} KB, {side.Collections}")) + ".");
        section.Details.Add(
            $"On: p50 {Format.Ms(onAll.Latency.Median)}, p99 {Format.Ms(onAll.Latency.P99)}, {Format.Rate(onAll.Throughput, "req")}; "
            + $"off: p50 {Format.Ms(offAll.Latency.Median)}, p99 {Format.Ms(offAll.Latency.P99)}, {Format.Rate(offAll.Throughput, "req")}.");
        if (onRatio > 1.05)
        {
            // Each round ran every side once, so the rounds can be compared side by side.
            var offCheapest = Enumerable.Range(0, rounds).Count(r => sides.All(side => side == off || side.Rounds[r].SelfCpuPerOperation >= off.Rounds[r].SelfCpuPerOperation));
            section.Notes.Add(
                $"**CPU per request** misses the goal: the request telemetry adds {onCpu.Median - offCpu.Median:0} µs a request here "
                + $"({(onRatio - 1) * 100:0} % within a round), and the side without it was the cheapest of the six in "
                + $"{offCheapest} of {rounds} rounds{(offCheapest * 2 > rounds ? ", so this is not the machine's noise alone" : ", so the machine's noise is a fair part of it")}. "
                + $"Metrics only add {(PairedRatio(metricsOnly) - 1) * 100:0} % and access lines only {(PairedRatio(accessOnly) - 1) * 100:0} %; what both "
                + "share (the middleware: the correlation id's scope and header, the capacity scope, the route's template, the request "
                + $"measurements) is counted in each, and alone adds {(PairedRatio(middlewareOnly) - 1) * 100:0} %.");
        }

        return section;
    }

    private sealed class Side(string name, ApiHost host, HttpClient http) : IAsyncDisposable
    {
        public string Name { get; } = name;

        public ApiHost Host { get; } = host;

        public HttpClient Http { get; } = http;

        public List<LoadResult> Rounds { get; } = [];

        /// <summary>Bytes allocated by the process per request, each round (HTTP client and API together).</summary>
        public List<double> Allocated { get; } = [];

        public int Collections { get; set; }

        public Stats Cpu => new(Rounds.Select(r => r.SelfCpuPerOperation!.Value * 1000));

        public static async Task<Side> StartAsync(
            string name, Uri dynamoDb, string table, string token, bool telemetry, LambdaMetrics? metrics, bool accessLines, CancellationToken ct)
        {
            var host = await ApiHost.StartAsync(dynamoDb, table, ct, builder =>
            {
                builder.Logging.AddLambdaJsonLogging(o => o.Output = Stream.Null);
                builder.Logging.SetMinimumLevel(LogLevel.Information);
                var settings = new Dictionary<string, string?> { ["Api:RequestTelemetry"] = telemetry ? "true" : "false" };
                if (!accessLines)
                {
                    settings["Logging:LogLevel:" + typeof(RequestMetrics).Namespace + ".RequestTelemetryMiddleware"] = "Warning";
                }

                builder.Configuration.AddInMemoryCollection(settings);
                if (metrics is not null)
                {
                    builder.Services.AddSingleton<IStartupFilter>(new PerRequestMetrics(metrics));
                }
            });
            var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, UseProxy = false }) { BaseAddress = host.Address };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return new Side(name, host, http);
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Host.DisposeAsync();
        }
    }

    /// <summary>On Kestrel, what the Lambda loop does around each invocation: one collector for the request, flushed as EMF after it.</summary>
    private sealed class PerRequestMetrics(LambdaMetrics metrics) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate inner) =>
            {
                using (metrics.Begin(context.TraceIdentifier, coldStart: false))
                {
                    await inner(context);
                }
            });
            next(app);
        };
    }
}
