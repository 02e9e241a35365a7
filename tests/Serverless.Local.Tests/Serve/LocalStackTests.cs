using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serverless.Api.Infrastructure.Auth;
using Serverless.DynamoDbLocal;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Serve;

/// <summary>
/// The one command a developer runs: <c>serverless-local serve</c> as its own process from the repository root,
/// against the test run's DynamoDB Local. Writes through the API must come back as an audit entry and as a renamed
/// user's name on its order, which only happens if the table's stream reached the audit and denormalization
/// functions through the event-source-mapping emulator.
/// </summary>
public sealed partial class LocalStackTests(DynamoDbLocalFixture fixture, MotoKmsFixture kms)
{
    [Fact]
    public async Task Serve_runs_the_api_and_feeds_the_stream_functions_from_the_table()
    {
        var ct = TestContext.Current.CancellationToken;
        using var serve = StartServe();
        try
        {
            await UseStackAsync(await WaitForReadyAsync(serve, ct), ct);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Serve_with_cache_starts_redis_serves_reads_from_it_and_runs_the_invalidation_function()
    {
        var ct = TestContext.Current.CancellationToken;
        using var serve = StartServe("--cache");
        string endpoint;
        try
        {
            var ready = await WaitForReadyLineAsync(serve, ct);
            var match = CacheInReadyLine().Match(ready);
            Assert.True(match.Success, ready);
            Assert.Contains("CacheInvalidationFunction", ready, StringComparison.Ordinal);
            endpoint = match.Groups["endpoint"].Value;
            using var http = new HttpClient { BaseAddress = new Uri(ReadyLine().Match(ready).Groups["api"].Value) };
            var token = DevAuth.CreateToken("local-stack-test", [Scopes.Read, Scopes.Write], TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var created = await http.PostAsJsonAsync(
                "users", new { email = $"cached-{Guid.NewGuid():N}@example.com", name = "Cache Tester", password = "a long enough passphrase" }, ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"users/{id}", ct)).StatusCode);

            using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(endpoint);
            var raw = await redis.GetDatabase().StringGetAsync("user:" + id);
            Assert.True(raw.HasValue, "the user read through the API is in the stack's Redis");
            // The invalidation function has seen the create too (its tombstone, or the value read after it).
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"users/{id}", ct)).StatusCode);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync(CancellationToken.None);
        }

        // The stack's redis-server went with it.
        await Eventually.WaitUntilAsync(
            async () =>
            {
                using var probe = new System.Net.Sockets.TcpClient();
                try
                {
                    await probe.ConnectAsync(System.Net.IPAddress.Loopback, int.Parse(endpoint.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture), ct);
                    return false;
                }
                catch (System.Net.Sockets.SocketException)
                {
                    return true;
                }
            },
            "the stack's redis-server has stopped", ct);
    }

    [Fact]
    public async Task Serve_with_cache_but_no_redis_server_installed_exits_saying_how_to_install_it()
    {
        var ct = TestContext.Current.CancellationToken;
        // A PATH with dotnet on it and nothing else: no redis-server.
        using var serve = StartServe("--cache", path: Path.GetDirectoryName(Environment.ProcessPath)!);
        var stderr = serve.StandardError.ReadToEndAsync(ct);
        _ = serve.StandardOutput.ReadToEndAsync(ct);
        await serve.WaitForExitAsync(ct);

        Assert.Equal(1, serve.ExitCode);
        Assert.Contains("error: serve: --cache needs redis-server", await stderr, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y redis-server", await stderr, StringComparison.Ordinal);
    }

    private static async Task UseStackAsync(Uri api, CancellationToken ct)
    {
        using var http = Client(api, "local-stack-test");

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health", ct)).StatusCode);
        var created = await http.PostAsJsonAsync(
            "users",
            new { email = $"stack-{Guid.NewGuid():N}@example.com", name = "Stack Tester", password = "a long enough passphrase" },
            ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString();
        var userETag = created.Headers.ETag!.Tag;

        var entries = await PollAsync(http, $"audit/User/{id}", history => history.GetProperty("items").GetArrayLength() > 0, "the user's INSERT reached the audit function", ct);
        var entry = Assert.Single(entries.GetProperty("items").EnumerateArray());
        Assert.Equal("INSERT", entry.GetProperty("action").GetString());
        Assert.Equal("local-stack-test", entry.GetProperty("changedBy").GetString());

        // Denormalization: the user's new name reaches the order, written only by the stream function.
        var product = await http.PostAsJsonAsync("products", new { name = "Stack Widget", price = 9.99m }, ct);
        Assert.Equal(HttpStatusCode.Created, product.StatusCode);
        var productId = (await product.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString();
        var order = await http.PostAsJsonAsync("orders", new { userId = id, items = new[] { new { productId, quantity = 1 } } }, ct);
        Assert.Equal(HttpStatusCode.Created, order.StatusCode);
        var orderId = (await order.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString();
        using var rename = new HttpRequestMessage(HttpMethod.Patch, $"users/{id}") { Content = JsonContent.Create(new { name = "Stack Renamed" }) };
        rename.Headers.TryAddWithoutValidation("If-Match", userETag);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(rename, ct)).StatusCode);

        var renamed = await PollAsync(http, $"orders/{orderId}", o => o.GetProperty("userName").GetString() == "Stack Renamed", "the user's new name reached the order", ct);
        Assert.Equal("Stack Renamed", renamed.GetProperty("userName").GetString());
    }

    /// <summary>GETs <paramref name="path"/> until <paramref name="done"/> holds (stream functions are asynchronous).</summary>
    private static Task<JsonElement> PollAsync(HttpClient http, string path, Func<JsonElement, bool> done, string what, CancellationToken ct) =>
        Eventually.UntilAsync(
            () => http.GetFromJsonAsync<JsonElement>(path, ct),
            done,
            what,
            ct,
            TimeSpan.FromSeconds(60),
            TimeSpan.FromMilliseconds(250),
            body => $"last GET /{path}: {body}");

    [Fact]
    public async Task A_serve_killed_outright_takes_its_dynamodb_local_with_it()
    {
        var ct = TestContext.Current.CancellationToken;
        using var serve = StartServe(ownDynamoDb: true);
        IReadOnlyList<int> children = [];
        try
        {
            await WaitForReadyAsync(serve, ct);
            children = ProcessTree.Of(serve.Id).Where(pid => pid != serve.Id).ToList();
            Assert.NotEmpty(children);

            // SIGKILL to serve alone: it gets no chance to stop what it started.
            serve.Kill(entireProcessTree: false);
            await serve.WaitForExitAsync(ct);

            await Eventually.WaitUntilAsync(
                () => Task.FromResult(children.All(pid => !ProcessTree.IsAlive(pid))), "DynamoDB Local ended with the process that started it", ct, TimeSpan.FromSeconds(30));
        }
        finally
        {
            foreach (var pid in children.Where(ProcessTree.IsAlive))
            {
                Process.GetProcessById(pid).Kill();
            }
        }
    }

    private Process StartServe(string? extra = null, string? path = null, string? tableName = null, bool ownDynamoDb = false, string? kmsKeyId = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "serverless-local.dll"), "serve", "--api-port", "0", "--sweep-seconds", "1" })
        {
            psi.ArgumentList.Add(arg);
        }

        if (extra is not null)
        {
            psi.ArgumentList.Add(extra);
        }

        if (path is not null)
        {
            psi.Environment["PATH"] = path;
        }

        psi.Environment["TABLE_NAME"] = tableName ?? "stack-" + Guid.NewGuid().ToString("N");
        if (kmsKeyId is not null)
        {
            // The keyring under a key in moto's KMS, as on AWS under the FieldKey (else the local key file).
            psi.Environment["Privacy__KmsKeyId"] = kmsKeyId;
            psi.Environment["KMS_ENDPOINT"] = kms.ServiceUrl.ToString();
        }

        if (ownDynamoDb)
        {
            psi.Environment.Remove(DynamoDbLocalOptions.EndpointVariable);
            foreach (var arg in new[] { "--dynamodb-port", "0", "--in-memory" })
            {
                psi.ArgumentList.Add(arg);
            }
        }
        else
        {
            psi.Environment[DynamoDbLocalOptions.EndpointVariable] = fixture.ServiceUrl.ToString();
        }
        return Process.Start(psi)!;
    }

    private static async Task<Uri> WaitForReadyAsync(Process serve, CancellationToken ct) =>
        new(ReadyLine().Match(await WaitForReadyLineAsync(serve, ct)).Groups["api"].Value);

    private static async Task<string> WaitForReadyLineAsync(Process serve, CancellationToken ct)
    {
        var lines = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        while (await serve.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            lines.Add(line);
            if (ReadyLine().Match(line) is { Success: true })
            {
                _ = DrainAsync(serve);
                return line;
            }
        }

        throw new InvalidOperationException("serve exited before it was ready:\n" + string.Join('\n', lines));
    }

    private static async Task DrainAsync(Process serve)
    {
        // Keep reading so the child never blocks on a full pipe.
        var stdout = serve.StandardOutput.ReadToEndAsync();
        await serve.StandardError.ReadToEndAsync();
        await stdout;
    }

    [GeneratedRegex(@"Local stack ready\. API: (?<api>http://[^ ]+)")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"cache: redis (?<endpoint>127\.0\.0\.1:\d+)")]
    private static partial Regex CacheInReadyLine();
}
