using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Writing;
using Serverless.Local.Seed;

namespace Serverless.Bench.Seeding;

/// <summary>
/// The seed command's write path (the realistic generator streaming into BatchWriter) against a raw parallel
/// BatchWriteItem loop over the very same items, generated before its clock starts.
/// </summary>
public static class SeedingBench
{
    public const string Key = "seeding";

    public static async Task<SectionResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var parallelism = new BatchWriteOptions().Parallelism;
        var section = new SectionResult
        {
            Key = Key,
            Title = "Seeding",
            Quick = context.Quick,
            Method =
                $"Items per second of `seed` (generation, mapping and BatchWriter with {parallelism} calls in flight) against a raw "
                + $"loop of BatchWriteItem calls ({parallelism} in flight, 25 items each) over the same items generated in advance, each "
                + "into a fresh table of the same DynamoDB Local. The large scenario (1,000,000 users, about 13.7 million items) would "
                + "hold the whole table in DynamoDB Local's memory; its rate is measured over its first items, which the generator "
                + "streams exactly as it would for the whole run.",
        };

        // Unmeasured: DynamoDB Local's JIT warms on this write path first, or whichever side runs first pays for it.
        var warmTable = await context.CreateTableAsync("seed-warm", ct);
        await RawWrites.BatchWriteAsync(context.Client, warmTable, DataSeeder.Items(new SeedRequest(SeedScenario.Large), Sealer).Take(20_000).ToList(), parallelism, ct);
        await context.DropTableAsync(warmTable, ct);

        var medium = context.Quick ? (SeedScenario.Small, (int?)null) : (SeedScenario.Medium, null);
        var large = (SeedScenario.Large, (int?)(context.Quick ? 20_000 : 500_000));
        foreach (var (scenario, limit) in new[] { medium, large })
        {
            await CompareAsync(context, section, scenario, limit, parallelism, ct);
        }

        return section;
    }

    // Keys of this run only: the seeded tables are measured and dropped, never read back through the API.
    private static readonly Serverless.Data.Users.UserItemSealer Sealer = new(Serverless.Data.Privacy.KeyringSnapshot.Ephemeral());

    private static string PerThousand(TimeSpan? cpu, long items) => cpu is { } t ? Format.Ms(t.TotalMilliseconds * 1000 / items) : "(not measured)";

    private static async Task CompareAsync(BenchContext context, SectionResult section, SeedScenario scenario, int? limit, int parallelism, CancellationToken ct)
    {
        var request = new SeedRequest(scenario, Parallelism: parallelism);
        IEnumerable<Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue>> Items() =>
            limit is { } n ? DataSeeder.Items(request, Sealer).Take(n) : DataSeeder.Items(request, Sealer);

        var seeded = await context.CreateTableAsync("seed", ct);
        var writer = new BatchWriter(context.Client, new BatchWriteOptions { Parallelism = parallelism }, TimeProvider.System);
        var cpu = context.Cpu;
        long written = 0;
        var (seedTime, seedCpu) = await cpu.TimeAsync(async () => written = await writer.PutAllAsync(seeded, Items(), onWritten: null, ct));
        await context.DropTableAsync(seeded, ct);

        var items = Items().ToList();
        var rawTable = await context.CreateTableAsync("seed-raw", ct);
        var (rawTime, rawCpu) = await cpu.MeasureAsync(() => RawWrites.BatchWriteAsync(context.Client, rawTable, items, parallelism, ct));
        await context.DropTableAsync(rawTable, ct);

        var ours = written / seedTime.TotalSeconds;
        var raw = items.Count / rawTime.TotalSeconds;
        var name = scenario.ToName() + (limit is { } cap ? $" (first {cap:#,0} items)" : $" ({written:#,0} items)");
        section.Rows.Add(new Row
        {
            Measure = $"seed {name}: items/s",
            Ours = Format.Rate(ours, "items"),
            Baseline = Format.Rate(raw, "items"),
            Ratio = ours / raw,
            Goal = Goal.Min(0.8, ">= 0.8"),
        });
        section.Details.Add(
            $"{name}: seed {seedTime.TotalSeconds:0.0} s, raw {rawTime.TotalSeconds:0.0} s; CPU per 1,000 items: seed {PerThousand(seedCpu.Self, written)} in this process "
            + $"+ {PerThousand(seedCpu.DynamoDb, written)} in DynamoDB Local, raw {PerThousand(rawCpu.Self, items.Count)} + {PerThousand(rawCpu.DynamoDb, items.Count)}");
        var row = section.Rows[^1];
        if (row.Verdict.StartsWith("missed", StringComparison.Ordinal) && seedCpu.DynamoDb is { } seedDb && rawCpu.DynamoDb is { } rawDb)
        {
            section.Notes.Add(
                $"**seed {name}** {row.Verdict}: per 1,000 items, seed spends {PerThousand(seedCpu.Self, written)} of CPU in this process against "
                + $"{PerThousand(rawCpu.Self, items.Count)} for the raw loop, and DynamoDB Local {PerThousand(seedDb, written)} against {PerThousand(rawDb, items.Count)}. "
                + "The difference in this process is generating and mapping the items (realistic names, addresses, orders with their lines), "
                + "which the raw loop did before its clock started; on 2 cores it is taken from DynamoDB Local, which is what sets the rate.");
        }
    }
}
