using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serverless.Api.Infrastructure.Auth;
using Serverless.DynamoDbLocal;
using Serverless.Local.Telemetry;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Serve;

/// <summary>
/// What <c>serve</c> shows a developer before deploying: a line per API request and per stream batch in its output,
/// and the metrics the functions would write to CloudWatch at the address its ready line ends with.
/// </summary>
public sealed partial class LocalTelemetryTests(DynamoDbLocalFixture fixture)
{
    [Fact]
    public async Task Serve_writes_a_line_per_request_and_per_batch_and_serves_the_metrics_by_route_and_function()
    {
        var ct = TestContext.Current.CancellationToken;
        using var serve = StartServe();
        var lines = new ConcurrentQueue<string>();
        try
        {
            var ready = await ReadUntilReadyAsync(serve, lines, ct);
            var match = ReadyLine().Match(ready);
            Assert.True(match.Success, ready);
            using var http = new HttpClient { BaseAddress = new Uri(match.Groups["api"].Value) };
            var token = DevAuth.CreateToken("telemetry-test", [Scopes.Read, Scopes.Write], TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var email = $"telemetry-{Guid.NewGuid():N}@example.com";
            var created = await http.PostAsJsonAsync("users", new { email, name = "Tele Metry", password = "a long enough passphrase" }, ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"users/{id}", ct)).StatusCode);

            // The request lines: method, template, status, duration, capacity, and never the id in the path.
            await Eventually.WaitUntilAsync(() => lines.Any(l => l.StartsWith("[api] GET /users/{id} 200 in ", StringComparison.Ordinal)), "the read's line", ct);
            var read = lines.First(l => l.StartsWith("[api] GET /users/{id} 200 in ", StringComparison.Ordinal));
            Assert.Matches(@"^\[api\] GET /users/\{id\} 200 in [0-9.]+ ms, [0-9.]+ RCU, [0-9.]+ WCU$", read);
            Assert.Contains(lines, l => l.StartsWith("[api] POST /users 201 in ", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains(id, StringComparison.Ordinal) || l.Contains(email, StringComparison.Ordinal));

            // The user's INSERT reaches the audit function: its batch line, with the capacity its write consumed.
            await Eventually.WaitUntilAsync(
                () => lines.Any(l => AuditBatchLine().IsMatch(l)), "the audit function's batch line", ct, TimeSpan.FromSeconds(60));
            var batch = AuditBatchLine().Match(lines.First(l => AuditBatchLine().IsMatch(l)));
            Assert.True(int.Parse(batch.Groups["records"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 1);
            Assert.Equal("0", batch.Groups["failures"].Value);
            Assert.True(double.Parse(batch.Groups["wcu"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, batch.Value);

            using var plain = new HttpClient();
            var metrics = await plain.GetFromJsonAsync<JsonElement>(match.Groups["metrics"].Value, ct);
            var latency = Series(metrics, "ApiLatency", ("Route", "/users/{id}"), ("StatusClass", "2xx"));
            Assert.Equal(1, latency.GetProperty("count").GetInt64());
            Assert.True(latency.GetProperty("p50").GetDouble() > 0);
            Assert.True(latency.GetProperty("p99").GetDouble() >= latency.GetProperty("p95").GetDouble());
            Assert.True(Series(metrics, "DynamoDbLatency", ("Operation", "GetItem"), ("Index", "table")).GetProperty("count").GetInt64() >= 1);
            var batches = Series(metrics, "StreamBatchSize", ("Function", "AuditFunction"));
            Assert.True(batches.GetProperty("sum").GetDouble() >= 1);
            Assert.DoesNotContain(id, metrics.GetRawText(), StringComparison.Ordinal);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void Percentiles_are_nearest_rank_over_the_series_and_dimension_sets_are_kept_apart()
    {
        using var metrics = new LocalMetrics();
        for (var value = 1; value <= 100; value++)
        {
            metrics.Record("Latency", "Milliseconds", value, [new("Route", "/a")]);
        }

        metrics.Record("Latency", "Milliseconds", 500, [new("Route", "/b")]);

        // The listener hears every Serverless.* meter of this process, other tests' measurements too: only this metric counts.
        var a = Assert.Single(metrics.Snapshot(), s => s.Metric == "Latency" && s.Dimensions.GetValueOrDefault("Route") == "/a");
        Assert.Equal((100, 5050d, 50d, 95d, 99d), (a.Count, a.Sum, a.P50!.Value, a.P95!.Value, a.P99!.Value));
        var b = Assert.Single(metrics.Snapshot(), s => s.Metric == "Latency" && s.Dimensions.GetValueOrDefault("Route") == "/b");
        Assert.Equal((1, 500d, 500d), (b.Count, b.Sum, b.P99!.Value));
    }

    [Fact]
    public void A_metrics_sum_over_the_series_with_a_dimension_counts_those_series_only()
    {
        using var metrics = new LocalMetrics();
        var metric = "BatchSize-" + Guid.NewGuid().ToString("N");
        metrics.Record(metric, "Count", 100, [new("Function", "Audit")]);
        metrics.Record(metric, "Count", 40, [new("Function", "Audit"), new("Shard", "1")]);
        metrics.Record(metric, "Count", 7, [new("Function", "Purge")]);
        metrics.Record("Other-" + metric, "Count", 1000, [new("Function", "Audit")]);

        Assert.Equal(140, metrics.SumOf(metric, new("Function", "Audit")));
        Assert.Equal(7, metrics.SumOf(metric, new("Function", "Purge")));
        Assert.Equal(0, metrics.SumOf(metric, new("Function", "Denormalize")));
    }

    private static JsonElement Series(JsonElement metrics, string name, params (string Name, string Value)[] dimensions)
    {
        foreach (var series in metrics.EnumerateArray())
        {
            var actual = series.GetProperty("dimensions").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            if (series.GetProperty("metric").GetString() == name && actual.Count == dimensions.Length && dimensions.All(d => actual.GetValueOrDefault(d.Name) == d.Value))
            {
                return series;
            }
        }

        throw new Xunit.Sdk.XunitException($"no {name} series with {string.Join(", ", dimensions)} in:\n{metrics}");
    }

    private Process StartServe()
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "serverless-local.dll"), "serve", "--api-port", "0", "--sweep-seconds", "0" })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["TABLE_NAME"] = "telemetry-" + Guid.NewGuid().ToString("N");
        psi.Environment[DynamoDbLocalOptions.EndpointVariable] = fixture.ServiceUrl.ToString();
        return Process.Start(psi)!;
    }

    /// <summary>Collects stderr's lines (where the stack writes) until the ready line, then keeps collecting.</summary>
    private static async Task<string> ReadUntilReadyAsync(Process serve, ConcurrentQueue<string> lines, CancellationToken ct)
    {
        _ = serve.StandardOutput.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        while (await serve.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            lines.Enqueue(line);
            if (ReadyLine().IsMatch(line))
            {
                _ = Task.Run(
                    async () =>
                    {
                        while (await serve.StandardError.ReadLineAsync(CancellationToken.None) is { } next)
                        {
                            lines.Enqueue(next);
                        }
                    },
                    CancellationToken.None);
                return line;
            }
        }

        throw new InvalidOperationException("serve exited before it was ready:\n" + string.Join('\n', lines));
    }

    [GeneratedRegex(@"Local stack ready\. API: (?<api>http://[^ ]+) .*\| stream functions: [A-Za-z0-9, ]+ \|.*\| metrics: (?<metrics>http://127\.0\.0\.1:\d+/metrics) \| Ctrl\+C to stop\.$")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"^\[AuditFunction\] batch: (?<records>\d+) record\(s\), (?<failures>\d+) failure\(s\), (?<rcu>[0-9.]+) RCU, (?<wcu>[0-9.]+) WCU in [0-9.]+ ms$")]
    private static partial Regex AuditBatchLine();
}
