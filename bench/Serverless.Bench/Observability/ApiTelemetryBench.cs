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
        await using var on = await StartAsync(context.ServiceUrl, table, metrics, ct);
        await using var off = await StartAsync(context.ServiceUrl, table, metrics: null, ct);
        metrics.Allow(RequestMetrics.DimensionsOf(on.Services.GetRequiredService<EndpointDataSource>())
            .Concat(DynamoDbTelemetry.MetricDimensions)
            .Concat(CacheTelemetry.MetricDimensions));

        var token = DevAuth.CreateToken("bench-user", [Scopes.Read], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);
        using var onClient = Client(on, token);
        using var offClient = Client(off, token);
        Func<int, CancellationToken, Task> Get(HttpClient http) => async (i, t) =>
        {
            using var response = await http.GetAsync($"/users/{ids[i % ids.Count]}", t);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET /users/{{id}} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(t)}");
            }

            _ = await response.Content.ReadAsByteArrayAsync(t);
        };

        var requests = context.Quick ? 1000 : 4000;
        var rounds = context.Quick ? 4 : 8;
        // Warm both (JIT, connections, the keyring and the users' keys) before anything counts.
        await Load.RunAsync(Concurrency, 200, Get(onClient), ct);
        await Load.RunAsync(Concurrency, 200, Get(offClient), ct);

        var onRounds = new List<LoadResult>();
        var offRounds = new List<LoadResult>();
        for (var round = 0; round < rounds; round++)
        {
            // Alternated, and which side goes first alternates too, so a slow stretch of the machine lands on both.
            var first = round % 2 == 0;
            (first ? onRounds : offRounds).Add(await Load.RunAsync(Concurrency, requests, Get(first ? onClient : offClient), ct, context.Cpu));
            (first ? offRounds : onRounds).Add(await Load.RunAsync(Concurrency, requests, Get(first ? offClient : onClient), ct, context.Cpu));
        }

        await context.DropTableAsync(table, ct);

        // Per round, then the median of the rounds: one disturbed round moves a median less than a total.
        var onCpu = new Stats(onRounds.Select(r => r.SelfCpuPerOperation!.Value * 1000));
        var offCpu = new Stats(offRounds.Select(r => r.SelfCpuPerOperation!.Value * 1000));
        var onAll = LoadResult.Combine(onRounds);
        var offAll = LoadResult.Combine(offRounds);
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
                + "logger, at the same level. The data layer's own instruments and consumed-capacity accounting run on both sides (they are not "
                + "optional). CPU of this process (HTTP client and API together) per request, median of the rounds; p50 over every request.",
            Rows =
            {
                new Row
                {
                    Measure = "CPU per request, telemetry on / off",
                    Ours = $"{onCpu.Median:0.0} µs",
                    Baseline = $"{offCpu.Median:0.0} µs",
                    Ratio = onCpu.Median / offCpu.Median,
                    Goal = Goal.Max(1.05, "<= 1.05"),
                },
                new Row
                {
                    Measure = "p50 latency, telemetry on / off",
                    Ours = Format.Ms(onAll.Latency.Median),
                    Baseline = Format.Ms(offAll.Latency.Median),
                    Ratio = onAll.Latency.Median / offAll.Latency.Median,
                },
            },
        };
        section.Details.Add(
            $"CPU per request by round (µs), on: {string.Join(", ", onRounds.Select(r => $"{r.SelfCpuPerOperation!.Value * 1000:0}"))}; "
            + $"off: {string.Join(", ", offRounds.Select(r => $"{r.SelfCpuPerOperation!.Value * 1000:0}"))}.");
        section.Details.Add(
            $"On: p50 {Format.Ms(onAll.Latency.Median)}, p99 {Format.Ms(onAll.Latency.P99)}, {Format.Rate(onAll.Throughput, "req")}; "
            + $"off: p50 {Format.Ms(offAll.Latency.Median)}, p99 {Format.Ms(offAll.Latency.P99)}, {Format.Rate(offAll.Throughput, "req")}.");
        if (onCpu.Median / offCpu.Median > 1.05)
        {
            section.Notes.Add(
                $"**CPU per request** misses the goal by {(onCpu.Median / offCpu.Median - 1.05) * 100:0.0} points: the telemetry adds "
                + $"{onCpu.Median - offCpu.Median:0} µs a request here (formatting the access line as JSON, the route's template, the collector's "
                + "measurements and the EMF document). Rounds on a shared 2-core machine vary by more than that in quick mode: see the rounds in the details.");
        }

        return section;
    }

    private static HttpClient Client(ApiHost host, string token)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, UseProxy = false }) { BaseAddress = host.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static Task<ApiHost> StartAsync(Uri dynamoDb, string table, LambdaMetrics? metrics, CancellationToken ct) =>
        ApiHost.StartAsync(dynamoDb, table, ct, builder =>
        {
            builder.Logging.AddLambdaJsonLogging(o => o.Output = Stream.Null);
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            if (metrics is null)
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Api:RequestTelemetry"] = "false" });
            }
            else
            {
                builder.Services.AddSingleton<IStartupFilter>(new PerRequestMetrics(metrics));
            }
        });

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
