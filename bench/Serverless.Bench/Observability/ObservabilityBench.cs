using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serverless.Functions;
using Serverless.Api.Infrastructure.Http;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Client;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Metrics;
using Serverless.Lambda.Runtime;

namespace Serverless.Bench.Observability;

/// <summary>
/// What the telemetry costs: <c>GET /users/{id}</c> through the API as the Lambda function runs it (HTTP API 2.0 event in,
/// response out, in process), with EMF metrics and access lines on (written to a null stream, so the figure is the
/// work of making them, not of a console) against the same function with metrics disabled and logging at Warning.
/// CPU of this process per request, rounds alternated; both sides ask DynamoDB for consumed capacity (that is not optional).
/// </summary>
public static class ObservabilityBench
{
    public const string Key = "observability";

    private const int Concurrency = 4;

    public static async Task<SectionResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var table = await context.CreateTableAsync("observability", ct);
        var options = new TableOptions { TableName = table, CursorSigningKey = ApiHost.CursorKey };
        var users = new UserRepository(new TableAccess(context.Client, options, TimeProvider.System));
        var ids = new List<Guid>();
        for (var n = 0; n < 50; n++)
        {
            ids.Add((await users.CreateAsync(BenchUsers.Create(n, DateTimeOffset.UtcNow), "bench", ct)).Id);
        }

        var events = ids.Select(id => ApiEvents.Get($"/users/{id}")).ToArray();
        await using var on = await Side.StartAsync(context.ServiceUrl, table, metricsOn: true, logsOn: true, ct);
        await using var off = await Side.StartAsync(context.ServiceUrl, table, metricsOn: false, logsOn: false, ct);
        await using var metricsOnly = await Side.StartAsync(context.ServiceUrl, table, metricsOn: true, logsOn: false, ct);
        await using var logsOnly = await Side.StartAsync(context.ServiceUrl, table, metricsOn: false, logsOn: true, ct);
        Side[] sides = [on, off, metricsOnly, logsOnly];

        var requests = context.Quick ? 400 : 3000;
        var rounds = context.Quick ? 3 : 6;
        // Warm every side (connections, the keyring and the users' keys) until the JIT is done with them all, then
        // measure, the order rotated each round.
        var warmup = await JitWarmup.RunAsync(
            async () =>
            {
                foreach (var side in sides)
                {
                    await side.RunAsync(events, 500, ct);
                }
            },
            context.Quick ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(120));
        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();

        var cpuPerRequest = sides.ToDictionary(s => s, _ => new List<double>());
        var bytesPerRequest = sides.ToDictionary(s => s, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < sides.Length; k++)
            {
                var side = sides[(k + round) % sides.Length];
                // One side runs at a time, so what the process allocates meanwhile is that side's (a steadier figure than CPU on a shared machine).
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var (_, cpu) = await context.Cpu.MeasureAsync(async () => { await side.RunAsync(events, requests, ct); return 0; });
                bytesPerRequest[side].Add((GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)requests);
                cpuPerRequest[side].Add(cpu.Self.TotalMilliseconds * 1000 / requests);
            }
        }

        var jitDuring = JitWarmup.CompilationSince(jitBefore);
        await context.DropTableAsync(table, ct);
        double Median(Side side) => new Stats(cpuPerRequest[side]).Median;
        var offMedian = Median(off);
        double Bytes(Side side) => new Stats(bytesPerRequest[side]).Median;
        var offBytes = Bytes(off);
        return new SectionResult
        {
            Key = Key,
            Title = "Telemetry cost",
            Quick = context.Quick,
            Method =
                $"`GET /users/{{id}}` through the API as the Lambda function (event in, response out, in process) at concurrency {Concurrency}, "
                + $"{rounds} alternating rounds of {requests} requests a side, over 50 users. On: EMF metrics (route, status class, DynamoDB "
                + "operation and index, consumed capacity) flushed per invocation and the JSON access line, both to a null stream. Off: "
                + "metrics disabled and logging at Warning; and each of the two alone. Four functions in one process, "
                + $"{warmup.Describe()} (the shipped function is Native AOT and never JITs), {jitDuring.TotalMilliseconds:0} ms of JIT time during the measured rounds; the order rotated each round; "
                + "median CPU of this process per request (the event handling of the caller included, the same on every side), and the median bytes the process allocated per request. On a shared 2-core "
                + "machine the quick mode's rounds are too few to tell a few percent apart: read its ratios as noise unless the full run agrees.",
            Rows =
            {
                new Row
                {
                    Measure = "CPU per request, metrics and access lines on / off",
                    Ours = $"{Median(on):0.0} µs",
                    Baseline = $"{offMedian:0.0} µs",
                    Ratio = Median(on) / offMedian,
                    Goal = Goal.Max(1.05, "<= 1.05"),
                },
                new Row { Measure = "CPU per request, metrics only / off", Ours = $"{Median(metricsOnly):0.0} µs", Baseline = $"{offMedian:0.0} µs", Ratio = Median(metricsOnly) / offMedian },
                new Row { Measure = "CPU per request, access lines only / off", Ours = $"{Median(logsOnly):0.0} µs", Baseline = $"{offMedian:0.0} µs", Ratio = Median(logsOnly) / offMedian },
                new Row { Measure = "Bytes allocated per request, metrics and access lines on / off", Ours = $"{Bytes(on):0} B", Baseline = $"{offBytes:0} B", Ratio = Bytes(on) / offBytes },
                new Row { Measure = "Bytes allocated per request, metrics only / off", Ours = $"{Bytes(metricsOnly):0} B", Baseline = $"{offBytes:0} B", Ratio = Bytes(metricsOnly) / offBytes },
                new Row { Measure = "Bytes allocated per request, access lines only / off", Ours = $"{Bytes(logsOnly):0} B", Baseline = $"{offBytes:0} B", Ratio = Bytes(logsOnly) / offBytes },
            },
        };
    }

    private sealed class Side : IAsyncDisposable
    {
        private readonly ILambdaFunction _function;
        private readonly LambdaMetrics _metrics;
        private readonly ILambdaContext _context;

        private Side(ILambdaFunction function, LambdaMetrics metrics)
        {
            _function = function;
            _metrics = metrics;
            _context = LambdaContext.ForLocalInvocation(ProcessEnvironment.Instance, TimeProvider.System, TimeSpan.FromMinutes(15));
        }

        public static async Task<Side> StartAsync(Uri dynamoDb, string table, bool metricsOn, bool logsOn, CancellationToken ct)
        {
            var settings = ApiHost.Configuration(dynamoDb, table);
            settings["Auth:TrustHostPrincipal"] = "true";
            settings["Auth:Issuer"] = ApiEvents.Issuer;
            settings["Auth:Audience"] = ApiEvents.Audience;
            // The shipped function (src/Serverless.Functions), as the Lambda executable creates it.
            var function = await ApiFunction.CreateAsync(
                new FunctionOptions
                {
                    Args = ["--environment", Environments.Development],
                    ConfigureLogging = o => o.Output = Stream.Null,
                    ConfigureHost = host =>
                    {
                        host.Configuration.AddInMemoryCollection(settings);
                        host.Logging.SetMinimumLevel(logsOn ? LogLevel.Information : LogLevel.Warning);
                    },
                },
                ct);
            var metrics = new LambdaMetrics(new LambdaMetricsOptions { Output = Stream.Null, Enabled = metricsOn });
            metrics.Allow(((IMetricDimensionSource)function).MetricDimensions);
            return new Side(function, metrics);
        }

        public async Task RunAsync(byte[][] events, int requests, CancellationToken ct)
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
            {
                while (Interlocked.Increment(ref next) is var n && n < requests)
                {
                    using (_metrics.Begin("bench-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture), coldStart: false))
                    {
                        var response = await _function.InvokeAsync(events[n % events.Length], _context, ct);
                        if (ApiEvents.StatusOf(response.Span) != 200)
                        {
                            throw new InvalidOperationException($"GET /users/{{id}} answered {ApiEvents.StatusOf(response.Span)}: {Encoding.UTF8.GetString(response.Span)}");
                        }
                    }
                }
            }));
        }

        public async ValueTask DisposeAsync()
        {
            _metrics.Dispose();
            if (_function is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }
}
