using System.Diagnostics;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Bench.ColdStart;
using Serverless.Bench.Report;
using Serverless.Bench.Streams;
using Serverless.Bench.Support;
using Serverless.Data.Table;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Users;
using Serverless.Data.Writing;
using Serverless.DynamoDbLocal;
using Serverless.Local.Seed;
using Serverless.Local;
using Serverless.Lambda.Batch;
using Serverless.Local.Telemetry;
using Serverless.Streams;

namespace Serverless.Bench.Seeding;

/// <summary>
/// Bulk writes through the running local stack, as the README runs it (its own DynamoDB Local on a scratch database,
/// the API, the template's stream functions reading the table's stream through the event source mapping emulator):
/// the seed's write path into the stack's table against the same into a stream-less table of the same DynamoDB Local;
/// DynamoDB Local's peak resident memory; and the audit function's records per second when bulk writes reach it
/// through the emulator against the same function invoked directly with the same records.
/// </summary>
public static class LocalStackSeedingBench
{
    public const string Key = "seeding-stack";

    public const string Title = "Bulk writes through the local stack";

    private const string AuditFunction = "AuditFunction";

    public static async Task<SectionResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var parallelism = new BatchWriteOptions().Parallelism;
        var section = new SectionResult
        {
            Key = Key,
            Title = Title,
            Quick = context.Quick,
            Method =
                "A local stack started as `serve` starts it (DynamoDB Local on a scratch database, the API, every enabled stream function "
                + "of template.yaml behind the event source mapping emulator), one per scenario. Seeding: the seed command's write path "
                + $"(generation, mapping, BatchWriter with {parallelism} calls in flight) into the stack's table, whose stream the functions "
                + "read (the seed's writes are filtered out by the functions' filter criteria, so none is invoked for them), against the same "
                + "items into a stream-less table of the same DynamoDB Local, written first. Peak memory: DynamoDB Local's VmHWM once both "
                + "are written. Audit under bulk writes: users written by an application writer (which the audit function's filter lets "
                + "through) in parallel BatchWriteItem calls, timed from the first write until the emulator has handed the last record to "
                + "the audit function, against the same function invoked directly with the same records in batches of 100.",
        };

        // The stack points the functions at itself through the process's environment, as on Lambda: restored after.
        string[] variables = [DynamoDbLocalOptions.EndpointVariable, LocalStack.TableNameVariable];
        var saved = variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        try
        {
            var scenarios = context.Quick
                ? new[] { (SeedScenario.Small, (int?)null), (SeedScenario.Large, (int?)20_000) }
                : [(SeedScenario.Medium, null), (SeedScenario.Large, 300_000)];
            foreach (var (scenario, limit) in scenarios)
            {
                await SeedAsync(context, section, scenario, limit, parallelism, ct);
            }

            await AuditUnderBulkWritesAsync(context, section, context.Quick ? 3_000 : 20_000, parallelism, ct);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        return section;
    }

    private static Task<LocalStack> StartStackAsync(BenchContext context, CancellationToken ct)
    {
        // A DYNAMODB_ENDPOINT left by the previous stack would be taken for one to use instead of starting DynamoDB Local.
        Environment.SetEnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, null);
        Environment.SetEnvironmentVariable(LocalStack.TableNameVariable, null);
        return LocalStack.StartAsync(
            new LocalStackOptions
            {
                DynamoDb = new DynamoDbLocalOptions { Port = 0, Storage = DynamoDbLocalStorage.Scratch },
                ApiPort = 0,
                TemplatePath = Path.Combine(context.Settings.RepoRoot, "template.yaml"),
                FailureDirectory = Path.Combine(Path.GetTempPath(), "bench-failures-" + Guid.NewGuid().ToString("N")),
                FunctionLog = Stream.Null,
            },
            TextWriter.Null,
            ct);
    }

    // Keys of this run only: the seeded tables are measured and thrown away with the stack.
    private static readonly UserItemSealer Sealer = new(Serverless.Data.Privacy.KeyringSnapshot.Ephemeral());

    private static async Task SeedAsync(BenchContext context, SectionResult section, SeedScenario scenario, int? limit, int parallelism, CancellationToken ct)
    {
        var request = new SeedRequest(scenario, Parallelism: parallelism);
        IEnumerable<Dictionary<string, AttributeValue>> Items() =>
            limit is { } n ? DataSeeder.Items(request, Sealer).Take(n) : DataSeeder.Items(request, Sealer);

        await using var stack = await StartStackAsync(context, ct);
        var writer = new BatchWriter(stack.Client, new BatchWriteOptions { Parallelism = parallelism }, TimeProvider.System);

        // Unmeasured: DynamoDB Local's JIT warms on this write path first, or whichever side runs first pays for it.
        var warm = "bench-warm";
        await TableSetup.EnsureCreatedAsync(stack.Client, warm, withStream: false, ct);
        await writer.PutAllAsync(warm, DataSeeder.Items(new SeedRequest(SeedScenario.Large, Seed: 99), Sealer).Take(10_000), onWritten: null, ct);
        await stack.Client.DeleteTableAsync(warm, ct);

        var plain = "bench-streamless";
        await TableSetup.EnsureCreatedAsync(stack.Client, plain, withStream: false, ct);
        var plainClock = Stopwatch.StartNew();
        var plainWritten = await writer.PutAllAsync(plain, Items(), onWritten: null, ct);
        var plainTime = plainClock.Elapsed;

        var stackClock = Stopwatch.StartNew();
        var written = await writer.PutAllAsync(stack.TableName, Items(), onWritten: null, ct);
        var stackTime = stackClock.Elapsed;
        var peak = stack.DynamoDb.ProcessId is { } pid ? PeakRss.Of(pid) : 0;

        var ours = written / stackTime.TotalSeconds;
        var baseline = plainWritten / plainTime.TotalSeconds;
        var name = scenario.ToName() + (limit is { } cap ? $" (first {cap:#,0} items)" : $" ({written:#,0} items)");
        section.Rows.Add(new Row
        {
            Measure = $"seed {name} into the running stack: items/s",
            Ours = Format.Rate(ours, "items"),
            Baseline = Format.Rate(baseline, "items") + " (stream-less table)",
            Ratio = ours / baseline,
            Goal = Goal.Min(0.8, ">= 0.8"),
        });
        section.Rows.Add(new Row
        {
            Measure = $"seed {name}: DynamoDB Local peak resident memory",
            Ours = peak > 0 ? $"{peak / (1024.0 * 1024):#,0} MB" : "(not measured)",
            Baseline = $"{2 * written:#,0} items held",
        });
        section.Details.Add(
            $"{name}: stack table {stackTime.TotalSeconds:0.0} s, stream-less table {plainTime.TotalSeconds:0.0} s; the stack's API and stream "
            + $"functions ran throughout (functions: {string.Join(", ", stack.StreamFunctions)}).");
    }

    private static async Task AuditUnderBulkWritesAsync(BenchContext context, SectionResult section, int count, int parallelism, CancellationToken ct)
    {
        await using var stack = await StartStackAsync(context, ct);
        var now = DateTimeOffset.UtcNow;
        // Written by an application (not the seeder): the audit function's filter lets each INSERT through.
        Dictionary<string, AttributeValue> User(int n) => UserMapper.ToItem(BenchUsers.Create(n, now) with { Version = 1, LastWriter = "user:bench" }, 1);

        // Unmeasured: the emulator, the function and DynamoDB Local warm on a first load, which is waited out.
        await RawWrites.BatchWriteAsync(stack.Client, stack.TableName, Enumerable.Range(5_000_000, 500).Select(User).ToList(), parallelism, ct);
        await WaitForAuditedAsync(stack.Metrics, 500, ct);

        var items = Enumerable.Range(0, count).Select(User).ToList();
        var clock = Stopwatch.StartNew();
        await RawWrites.BatchWriteAsync(stack.Client, stack.TableName, items, parallelism, ct);
        var written = clock.Elapsed;
        await WaitForAuditedAsync(stack.Metrics, 500 + count, ct);
        var emulated = clock.Elapsed;

        // The same function and records, invoked directly in batches of 100 on a table of the same DynamoDB Local.
        var direct = "bench-audit-direct";
        await TableSetup.EnsureCreatedAsync(stack.Client, direct, withStream: false, ct);
        var function = StreamFunctions.CreateAudit(stack.Client, new TableOptions { TableName = direct, CursorSigningKey = ApiHost.CursorKey }, NullLoggerFactory.Instance, TimeProvider.System);
        var batches = items.Chunk(100).Select(batch => StreamEvents.Batch(batch.Select(item => new StreamChange("INSERT", null, item)))).ToList();
        await StreamsBench.InvokeAsync(function, StreamEvents.Batch(Enumerable.Range(6_000_000, 100).Select(n => new StreamChange("INSERT", null, User(n)))), ct);
        var directClock = Stopwatch.StartNew();
        foreach (var payload in batches)
        {
            await StreamsBench.InvokeAsync(function, payload, ct);
        }

        var directTime = directClock.Elapsed;
        section.Rows.Add(new Row
        {
            Measure = $"audit of {count:#,0} bulk-written users through the emulator: records/s",
            Ours = Format.Rate(count / emulated.TotalSeconds, "records"),
            Baseline = Format.Rate(count / directTime.TotalSeconds, "records") + " (invoked directly, batches of 100)",
            Ratio = directTime / emulated,
            Goal = Goal.Min(0.5, ">= 0.5"),
        });
        section.Details.Add(
            $"Audit under bulk writes: the {count:#,0} users written in {written.TotalSeconds:0.00} s; the last record handed to the audit function "
            + $"{emulated.TotalSeconds:0.00} s after the first write; invoked directly, {batches.Count} batches in {directTime.TotalSeconds:0.00} s.");
    }

    /// <summary>Until the stack's audit function has been handed <paramref name="records"/> records in all.</summary>
    private static async Task WaitForAuditedAsync(LocalMetrics metrics, long records, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(10));
        while (Handed(metrics) < records)
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    private static double Handed(LocalMetrics metrics) =>
        metrics.SumOf(StreamMetricNames.BatchSize, new(Serverless.Local.Telemetry.BatchSummary.FunctionDimension, AuditFunction));
}
