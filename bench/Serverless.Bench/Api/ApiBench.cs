using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Options;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Infrastructure.Passwords;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Reading;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Security;
using Serverless.Domain.Users;

namespace Serverless.Bench.Api;

/// <summary>
/// Each access pattern through the API (HTTP on loopback, JWT validation, JSON, the repository) and as the bare
/// SDK calls that do the same DynamoDB work, on the same DynamoDB Local at the same concurrency. Rounds alternate
/// API and raw so a slow stretch of the machine lands on both.
/// </summary>
public static class ApiBench
{
    public const string Key = "api-vs-raw";

    private const int Concurrency = 8;

    public static async Task<SectionResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var table = await context.CreateTableAsync("api", ct);
        var options = new TableOptions { TableName = table, CursorSigningKey = ApiHost.CursorKey };
        var users = new UserRepository(new TableAccess(context.Client, options, TimeProvider.System));

        // The users the reads pick from, written through the data layer (so every index item exists).
        var population = context.Quick ? 200 : 1000;
        var stored = new List<User>(population);
        await Parallel.ForEachAsync(Enumerable.Range(0, population), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (n, token) =>
        {
            var user = await users.CreateAsync(BenchUsers.Create(n, DateTimeOffset.UtcNow), "bench", token);
            lock (stored)
            {
                stored.Add(user);
            }
        });

        // Creates go through the shipped password-hash limiter; its wait is lengthened so that a slow stretch of a
        // shared machine queues the closed loop's creates instead of refusing them (the rate is the limiter's either way).
        await using var host = await ApiHost.StartAsync(context.ServiceUrl, table, ct, builder => builder.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?> { ["PasswordHashing:QueueTimeout"] = "00:02:00" }));
        var hashesAtOnce = host.Services.GetRequiredService<IOptions<PasswordHashingOptions>>().Value.EffectiveMaxConcurrent;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, UseProxy = false }) { BaseAddress = host.Address };
        var token = DevAuth.CreateToken("bench-user", [Scopes.Read, Scopes.Write], TimeSpan.FromHours(2), DateTimeOffset.UtcNow);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // The raw side: its own client, as a hand-written function would have.
        using var raw = context.CreateClient();

        var readOps = context.Quick ? 400 : 3000;
        var rounds = context.Quick ? 2 : 4;
        var createOps = context.Quick ? 16 : 96;

        var cpu = context.Cpu;
        var byId = await CompareAsync(
            cpu, rounds, readOps,
            async (i, t) => await ExpectAsync(http.GetAsync($"/users/{stored[i % stored.Count].Id}", t), HttpStatusCode.OK),
            (i, t) => raw.GetItemAsync(new GetItemRequest
            {
                TableName = table,
                Key = Keys.User(stored[i % stored.Count].Id).ToAttributes(),
                ConsistentRead = true,
            }, t),
            ct);

        var byEmail = await CompareAsync(
            cpu, rounds, readOps,
            async (i, t) => await ExpectAsync(http.GetAsync($"/users?email={Uri.EscapeDataString(stored[i % stored.Count].Email)}", t), HttpStatusCode.OK),
            (i, t) => raw.QueryAsync(new QueryRequest
            {
                TableName = table,
                IndexName = IndexNames.Email,
                KeyConditionExpression = "#emailKey = :emailKey",
                ExpressionAttributeNames = new() { ["#emailKey"] = Attr.EmailKey },
                ExpressionAttributeValues = new() { [":emailKey"] = new AttributeValue { S = EmailAddress.Normalize(stored[i % stored.Count].Email) } },
            }.ExcludeExpired(DateTimeOffset.UtcNow), t),
            ct);

        // Creates: the raw side does what a hand-written function must do too: it hashes the password with the same
        // PBKDF2 at the same iterations, through a limiter of the same settings as the API's (one PasswordHashing of the
        // host's options), seals the fields and sends the very transaction the repository builds (user, email marker,
        // name words, city). What the ratio measures is then the API's own work, not the hash.
        var hashingOptions = host.Services.GetRequiredService<IOptions<PasswordHashingOptions>>();
        using var rawHashing = new PasswordHashing(hashingOptions, TimeProvider.System);
        var iterations = hashingOptions.Value.Iterations;
        var rawNext = -1;
        var apiNext = 0;
        var create = await CompareAsync(
            cpu, rounds, createOps,
            async (_, t) =>
            {
                var n = Interlocked.Increment(ref apiNext);
                using var body = new StringContent(
                    $$"""{"email":"api.create{{n}}.{{Guid.NewGuid():N}}@example.com","name":"Created User {{n}}","password":"correct horse battery staple","addresses":[{"type":"home","street":"1 Main St","city":"Porto","country":"PT","isDefault":true}]}""",
                    Encoding.UTF8, "application/json");
                await ExpectAsync(http.PostAsync("/users", body, t), HttpStatusCode.Created);
            },
            async (_, t) =>
            {
                var hash = await rawHashing.HashAsync("correct horse battery staple", t);
                await raw.TransactWriteItemsAsync(CreateTransaction(table, Interlocked.Increment(ref rawNext), hash), t);
            },
            ct);

        var hashing = new Stats(Enumerable.Range(0, context.Quick ? 3 : 10).Select(n =>
        {
            var clock = Stopwatch.StartNew();
            _ = PasswordHasher.Hash("correct horse battery staple " + n, iterations);
            return clock.Elapsed.TotalMilliseconds;
        }));

        await context.DropTableAsync(table, ct);

        var section = new SectionResult
        {
            Key = Key,
            Title = "API against raw DynamoDB",
            Quick = context.Quick,
            Method =
                $"Closed loop at concurrency {Concurrency}: the API on Kestrel over loopback (bearer JWT validated per request, "
                + "JSON both ways, the repository) against the bare SDK calls doing the same DynamoDB work (the same GetItem, "
                + "the same Query with its expiry filter, the same sealed TransactWriteItems), on the same DynamoDB Local. "
                + $"Creates on both sides hash their password (PBKDF2-SHA256, {iterations:#,0} iterations, `PasswordHashing:Iterations`) through "
                + $"a limiter of the shipped settings ({hashesAtOnce} at once on {Environment.ProcessorCount} cores). "
                + $"{rounds} alternating rounds of {readOps} reads ({createOps} creates) each side, from {population} stored users.",
        };
        Add(section, "get user by id", byId);
        Add(section, "get user by email", byEmail);
        Add(section, "create user", create);
        section.Details.Add(
            $"PBKDF2-SHA256 at {iterations:#,0} iterations, alone: p50 {Format.Ms(hashing.Median)} per password on this machine; with {hashesAtOnce} "
            + $"hash(es) at once, creates are capped at about {hashesAtOnce * 1000 / hashing.Median:0}/s on either side before any DynamoDB work "
            + "(the cost of OWASP's iteration count, kept on purpose; a Lambda with more memory gets more CPU and hashes faster).");

        foreach (var (name, pair) in new[] { ("get user by id", byId), ("get user by email", byEmail) })
        {
            if (pair.Api.Throughput / pair.Raw.Throughput < 0.8 || pair.Api.Latency.P99 / pair.Raw.Latency.P99 > 1.5)
            {
                section.Notes.Add(
                    $"**{name}** misses a goal: API p50 {Format.Ms(pair.Api.Latency.Median)} against raw {Format.Ms(pair.Raw.Latency.Median)}, "
                    + $"so our side adds about {Format.Ms(pair.Api.Latency.Median - pair.Raw.Latency.Median)} per request (HTTP on loopback, JWT validation, "
                    + "JSON, response mapping) on a 2-core machine where the client, the API and DynamoDB Local share the same cores, so throughput "
                    + "follows the CPU each request costs in all." + CpuNote(pair));
            }
        }

        return section;
    }

    private static void Add(SectionResult section, string pattern, Comparison pair)
    {
        section.Rows.Add(new Row
        {
            Measure = $"{pattern}: throughput",
            Ours = Format.Rate(pair.Api.Throughput, "req"),
            Baseline = Format.Rate(pair.Raw.Throughput, "req"),
            Ratio = pair.Api.Throughput / pair.Raw.Throughput,
            Goal = Goal.Min(0.8, ">= 0.8"),
        });
        section.Rows.Add(new Row
        {
            Measure = $"{pattern}: p99 latency",
            Ours = Format.Ms(pair.Api.Latency.P99),
            Baseline = Format.Ms(pair.Raw.Latency.P99),
            Ratio = pair.Api.Latency.P99 / pair.Raw.Latency.P99,
            Goal = Goal.Max(1.5, "<= 1.5"),
        });
        section.Details.Add(
            $"{pattern}: API p50 {Format.Ms(pair.Api.Latency.Median)}, p99 {Format.Ms(pair.Api.Latency.P99)}, {Format.Rate(pair.Api.Throughput, "req")}; "
            + $"raw p50 {Format.Ms(pair.Raw.Latency.Median)}, p99 {Format.Ms(pair.Raw.Latency.P99)}, {Format.Rate(pair.Raw.Throughput, "req")}"
            + CpuDetail(pair));
    }

    private static async Task<Comparison> CompareAsync(
        CpuMeter cpu, int rounds, int operations, Func<int, CancellationToken, Task> api, Func<int, CancellationToken, Task> raw, CancellationToken ct)
    {
        // Warm both paths (JIT, connection pools) before anything counts.
        await Load.RunAsync(Concurrency, Math.Min(operations, 2 * Concurrency), api, ct);
        await Load.RunAsync(Concurrency, Math.Min(operations, 2 * Concurrency), raw, ct);

        var apiRounds = new List<LoadResult>();
        var rawRounds = new List<LoadResult>();
        for (var round = 0; round < rounds; round++)
        {
            apiRounds.Add(await Load.RunAsync(Concurrency, operations, api, ct, cpu));
            rawRounds.Add(await Load.RunAsync(Concurrency, operations, raw, ct, cpu));
        }

        return new Comparison(LoadResult.Combine(apiRounds), LoadResult.Combine(rawRounds));
    }

    /// <summary>CPU per request on each side: the bench process (client and API, or client and SDK) and DynamoDB Local.</summary>
    private static string CpuDetail(Comparison pair) =>
        pair.Api.SelfCpuPerOperation is { } apiSelf && pair.Raw.SelfCpuPerOperation is { } rawSelf
            ? $"; CPU per request: API side {Format.Ms(apiSelf)} in the bench process (HTTP client and API) + {DynamoDbCpu(pair.Api)} in DynamoDB Local, "
              + $"raw side {Format.Ms(rawSelf)} (SDK client) + {DynamoDbCpu(pair.Raw)}"
            : "";

    private static string CpuNote(Comparison pair)
    {
        if (pair.Api.SelfCpuPerOperation is not { } apiSelf || pair.Raw.SelfCpuPerOperation is not { } rawSelf
            || pair.Api.DynamoDbCpuPerOperation is not { } apiDb || pair.Raw.DynamoDbCpuPerOperation is not { } rawDb)
        {
            return "";
        }

        return $" Measured: {Format.Ms(apiSelf + apiDb)} of CPU per API request against {Format.Ms(rawSelf + rawDb)} raw; the bench process "
            + $"(HTTP client, Kestrel, authentication, JSON, SDK call) spends {Format.Ms(apiSelf - rawSelf)} more than the bare SDK call, "
            + $"and DynamoDB Local {Format.Ms(apiDb - rawDb)} more for the same request, which is what it loses to contention when a third "
            + "party (the HTTP stack) competes for the two cores.";
    }

    private static string DynamoDbCpu(LoadResult result) => result.DynamoDbCpuPerOperation is { } ms ? Format.Ms(ms) : "(not measured)";

    private static async Task ExpectAsync(Task<HttpResponseMessage> send, HttpStatusCode expected)
    {
        using var response = await send;
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        // Read the body as a client would.
        _ = await response.Content.ReadAsByteArrayAsync();
    }

    private static TransactWriteItemsRequest CreateTransaction(string table, int n, string passwordHash)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var user = BenchUsers.Create(n, now, city: "Porto") with
        {
            Email = $"raw.create{n}.{Guid.NewGuid():N}@example.com", Name = $"Created User {n}", Version = 1, LastWriter = "bench-user", PasswordHash = passwordHash,
        };
        // The same sealing the API does (ciphertext fields, a key item, blind-indexed marker, words and city), under
        // keys of this run: the raw side pays for the encryption too, so the ratio measures the rest of the API.
        var sealedItems = RawSealer.ForUser(user, 1).ToList();
        var items = new List<TransactWriteItem>
        {
            new() { Put = new Put { TableName = table, Item = sealedItems[0], ConditionExpression = "attribute_not_exists(PK)" } },
            new() { Put = new Put { TableName = table, Item = sealedItems[1], ConditionExpression = "attribute_not_exists(PK)" } },
            new()
            {
                Put = new Put
                {
                    TableName = table,
                    Item = sealedItems[2],
                    ConditionExpression = "attribute_not_exists(PK) OR #ttl <= :now",
                    ExpressionAttributeNames = new() { ["#ttl"] = Attr.Ttl },
                    ExpressionAttributeValues = new() { [":now"] = new AttributeValue { N = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) } },
                },
            },
        };
        items.AddRange(sealedItems.Skip(3).Select(i => new TransactWriteItem { Put = new Put { TableName = table, Item = i } }));
        return new TransactWriteItemsRequest { TransactItems = items };
    }

    private static readonly UserItemSealer RawSealer = new(Serverless.Data.Privacy.KeyringSnapshot.Ephemeral());

    private sealed record Comparison(LoadResult Api, LoadResult Raw);
}
