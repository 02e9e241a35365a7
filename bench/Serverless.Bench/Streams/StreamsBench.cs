using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data.Orders;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Orders;
using Serverless.Domain.Users;
using Serverless.Lambda.Runtime;
using Serverless.Streams;

namespace Serverless.Bench.Streams;

/// <summary>
/// Records per second through the audit and denormalization functions (the same functions Lambda runs, invoked
/// at their handler boundary with stream batches of 100 and 1,000), against DynamoDB Local's own BatchWriteItem
/// item rate for as many items, measured in the same run; and one user with 1,000 orders renamed.
/// </summary>
public static class StreamsBench
{
    public const string Key = "streams";

    /// <summary>The functions' own write parallelism (template: DENORMALIZE_MAX_PARALLEL_WRITES), used for the raw side too.</summary>
    private const int Parallelism = 4;

    public static async Task<SectionResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var section = new SectionResult
        {
            Key = Key,
            Title = "Stream functions",
            Quick = context.Quick,
            Method =
                "The audit and denormalization functions built as Lambda builds them (StreamFunctions, the batch processor, the real "
                + "repositories), invoked at the handler boundary with stream batches of user changes made from the items the data layer "
                + "writes (NEW_AND_OLD_IMAGES). Audit: user INSERTs, one entry each. Denormalization: user renames, each user with "
                + $"{OrdersPerUser(context)} orders to update. The baseline is DynamoDB Local's BatchWriteItem item rate for the same "
                + $"number of items (25 a call, {Parallelism} calls in flight, as the functions' own parallelism), timed in the same run.",
        };

        foreach (var batchSize in new[] { 100, 1000 })
        {
            await AuditAsync(context, section, batchSize, ct);
        }

        foreach (var batchSize in new[] { 100, 1000 })
        {
            await DenormalizeAsync(context, section, batchSize, ct);
        }

        await RenameAsync(context, section, ct);
        return section;
    }

    private static int OrdersPerUser(BenchContext context) => 2;

    private static async Task AuditAsync(BenchContext context, SectionResult section, int batchSize, CancellationToken ct)
    {
        var table = await context.CreateTableAsync("audit", ct);
        var options = new TableOptions { TableName = table, CursorSigningKey = ApiHost.CursorKey };
        var batches = context.Quick ? (batchSize == 100 ? 3 : 1) : (batchSize == 100 ? 10 : 3);
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, batches).Select(b => StreamEvents.Batch(Enumerable.Range(0, batchSize).Select(i =>
        {
            var user = BenchUsers.Create(b * batchSize + i, now) with { Version = 1, LastWriter = "user:bench" };
            return new StreamChange("INSERT", null, UserMapper.ToItem(user, 1));
        }))).ToList();

        var function = StreamFunctions.CreateAudit(context.Client, options, NullLoggerFactory.Instance, TimeProvider.System);
        // One unmeasured batch of the same size: the first calls pay JIT (ours and DynamoDB Local's) and connection
        // set-up, as a cold Lambda would once; the raw side, measured after, finds both warm too.
        await InvokeAsync(function, StreamEvents.Batch(Enumerable.Range(0, batchSize).Select(i =>
            new StreamChange("INSERT", null, UserMapper.ToItem(BenchUsers.Create(10_000_000 + i, now) with { Version = 1 }, 1)))), ct);

        var cpu = context.Cpu;
        var (functionTime, functionCpu) = await cpu.TimeAsync(async () =>
        {
            foreach (var payload in events)
            {
                await InvokeAsync(function, payload, ct);
            }
        });
        var records = batches * batchSize;

        // The raw side writes as many items of the same kind to the same table.
        var rawItems = Enumerable.Range(0, records).Select(i => UserMapper.ToItem(BenchUsers.Create(i, now) with { Version = 1 }, 1)).ToList();
        var (rawTime, rawCpu) = await cpu.MeasureAsync(() => RawWrites.BatchWriteAsync(context.Client, table, rawItems, Parallelism, ct));

        var measure = $"audit, batches of {batchSize:#,0}: records/s";
        AddRate(section, measure, records, functionTime, records, rawTime);
        AddCpu(section, measure, "BatchWriteItem calls of the entries of the records in hand, up to 25 each", AuditWhy, records, functionCpu, records, rawCpu);
        await context.DropTableAsync(table, ct);
    }

    private static async Task DenormalizeAsync(BenchContext context, SectionResult section, int batchSize, CancellationToken ct)
    {
        var table = await context.CreateTableAsync("denormalize", ct);
        var options = new TableOptions { TableName = table, CursorSigningKey = ApiHost.CursorKey };
        var batches = context.Quick ? 1 : (batchSize == 100 ? 5 : 2);
        var users = batches * batchSize;
        var perUser = OrdersPerUser(context);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        var before = Enumerable.Range(0, users).Select(i => BenchUsers.Create(i, now) with { Version = 1, LastWriter = "user:bench" }).ToList();
        var orders = before.SelectMany(u => Enumerable.Range(0, perUser).Select(k => OrderHeader(u, now.AddMinutes(-k)))).ToList();
        await RawWrites.BatchWriteAsync(context.Client, table, orders, 8, ct);
        // Users of one unmeasured batch of the same size, renamed first so both sides are measured warm.
        var warmUsers = Enumerable.Range(0, batchSize).Select(i => BenchUsers.Create(10_000_000 + i, now) with { Version = 1, LastWriter = "user:bench" }).ToList();
        await RawWrites.BatchWriteAsync(
            context.Client, table, [.. warmUsers.SelectMany(u => Enumerable.Range(0, perUser).Select(k => OrderHeader(u, now.AddMinutes(-k))))], 8, ct);

        var events = before.Chunk(batchSize).Select(chunk => StreamEvents.Batch(chunk.Select(u =>
        {
            var renamed = u with { Name = u.Name + " Renamed", Version = 2, LastWriter = "user:bench" };
            return new StreamChange("MODIFY", UserMapper.ToItem(u, 1), UserMapper.ToItem(renamed, 1));
        }))).ToList();

        var function = StreamFunctions.CreateDenormalize(context.Client, options, NullLoggerFactory.Instance, TimeProvider.System);
        await InvokeAsync(function, StreamEvents.Batch(warmUsers.Select(u =>
            new StreamChange("MODIFY", UserMapper.ToItem(u, 1), UserMapper.ToItem(u with { Name = u.Name + " Warm", Version = 2 }, 1)))), ct);

        var cpu = context.Cpu;
        var (functionTime, functionCpu) = await cpu.TimeAsync(async () =>
        {
            foreach (var payload in events)
            {
                await InvokeAsync(function, payload, ct);
            }
        });
        var rawItems = orders.Select(o => new Dictionary<string, AttributeValue>(o)).ToList();
        var rawTable = await context.CreateTableAsync("denormalize-raw", ct);
        var (rawTime, rawCpu) = await cpu.MeasureAsync(() => RawWrites.BatchWriteAsync(context.Client, rawTable, rawItems, Parallelism, ct));

        var measure = $"denormalize, batches of {batchSize:#,0}: order updates/s";
        AddRate(section, measure, orders.Count, functionTime, rawItems.Count, rawTime);
        AddCpu(section, measure, $"a Query per user and its {perUser} conditional PartiQL UPDATEs in one BatchExecuteStatement", DenormalizeWhy, orders.Count, functionCpu, rawItems.Count, rawCpu);
        section.Details.Add($"denormalize, batches of {batchSize:#,0}: {users:#,0} renames ({Format.Rate(users / functionTime.TotalSeconds, "records")}), each a Query for the user's orders and one BatchExecuteStatement of a conditional UPDATE per order");
        await context.DropTableAsync(table, ct);
        await context.DropTableAsync(rawTable, ct);
    }

    private static async Task RenameAsync(BenchContext context, SectionResult section, CancellationToken ct)
    {
        const int count = 1000;
        var table = await context.CreateTableAsync("rename", ct);
        var options = new TableOptions { TableName = table, CursorSigningKey = ApiHost.CursorKey };
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var user = BenchUsers.Create(0, now) with { Version = 1, LastWriter = "user:bench" };
        var orders = Enumerable.Range(0, count).Select(k => OrderHeader(user, now.AddSeconds(-k))).ToList();
        await RawWrites.BatchWriteAsync(context.Client, table, orders, 8, ct);

        var function = StreamFunctions.CreateDenormalize(context.Client, options, NullLoggerFactory.Instance, TimeProvider.System);
        var warm = BenchUsers.Create(-1, now) with { Version = 1 };
        await InvokeAsync(function, StreamEvents.Batch([new StreamChange("MODIFY", UserMapper.ToItem(warm, 1), UserMapper.ToItem(warm with { Name = "Warm", Version = 2 }, 1))]), ct);

        var renamed = user with { Name = "Renamed Once", Version = 2 };
        var payload = StreamEvents.Batch([new StreamChange("MODIFY", UserMapper.ToItem(user, 1), UserMapper.ToItem(renamed, 1))]);
        var cpu = context.Cpu;
        var (functionTime, functionCpu) = await cpu.TimeAsync(() => InvokeAsync(function, payload, ct));

        // Every order must carry the new name, or the figure would time less than the work.
        var updated = await CountOrdersNamedAsync(context, table, user.Id, renamed.Name, ct);
        if (updated != count)
        {
            throw new InvalidOperationException($"The rename reached {updated} of {count} orders.");
        }

        var rawTable = await context.CreateTableAsync("rename-raw", ct);
        var (rawTime, rawCpu) = await cpu.MeasureAsync(() => RawWrites.BatchWriteAsync(context.Client, rawTable, orders, Parallelism, ct));
        section.Rows.Add(new Row
        {
            Measure = "one user with 1,000 orders renamed: time to all orders updated",
            Ours = Format.Ms(functionTime.TotalMilliseconds),
            Baseline = Format.Ms(rawTime.TotalMilliseconds) + " (BatchWriteItem of 1,000 items)",
            // As a rate ratio (raw time / our time) so ">= 0.5 of the raw write rate" reads the same as the rows above.
            Ratio = rawTime / functionTime,
            Goal = Goal.Min(0.5, ">= 0.5 of raw rate"),
        });
        AddCpu(section, "one user with 1,000 orders renamed", "Query pages of 100 order ids and BatchExecuteStatement calls of 25 conditional UPDATEs, 4 in flight", DenormalizeWhy, count, functionCpu, count, rawCpu);
        await context.DropTableAsync(table, ct);
        await context.DropTableAsync(rawTable, ct);
    }

    private static async Task<int> CountOrdersNamedAsync(BenchContext context, string table, Guid userId, string name, CancellationToken ct)
    {
        var count = 0;
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await context.Client.QueryAsync(new QueryRequest
            {
                TableName = table,
                IndexName = IndexNames.Gsi1,
                KeyConditionExpression = "#pk = :pk",
                FilterExpression = "#name = :name",
                ExpressionAttributeNames = new() { ["#pk"] = Attr.Gsi1PK, ["#name"] = Attr.UserName },
                ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = Keys.UserPartition(userId) }, [":name"] = new AttributeValue { S = name } },
                ExclusiveStartKey = start,
            }, ct);
            count += page.Count ?? 0;
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);

        return count;
    }

    private static Dictionary<string, AttributeValue> OrderHeader(User user, DateTimeOffset orderedAt) => OrderMapper.ToHeaderItem(new Order
    {
        Id = Guid.NewGuid(),
        UserId = user.Id,
        UserEmail = user.Email,
        UserName = user.Name,
        UserVersion = user.Version,
        Total = 10m,
        OrderedAt = orderedAt,
        CreatedAt = orderedAt,
        UpdatedAt = orderedAt,
        Version = 1,
        LastWriter = "user:shop",
    });

    /// <summary>Invokes a stream function with one batch, as Lambda would; a batch with any item failure throws.</summary>
    internal static async Task InvokeAsync(ILambdaFunction function, byte[] payload, CancellationToken ct)
    {
        var context = LambdaContext.ForLocalInvocation(ProcessEnvironment.Instance, TimeProvider.System, TimeSpan.FromMinutes(15));
        var response = await function.InvokeAsync(payload, context, ct);
        // A partial failure would make the rate a lie: every record must have been processed.
        using var result = System.Text.Json.JsonDocument.Parse(response);
        if (!result.RootElement.TryGetProperty("batchItemFailures", out var failures) || failures.GetArrayLength() != 0)
        {
            throw new InvalidOperationException("The batch reported failures: " + ApiEvents.Excerpt(response.Span));
        }
    }

    private const string AuditWhy =
        "The audit function writes with BatchWriteItem too, gathering the entries of the records it has in hand (up to 25 a call, "
        + "4 calls in flight), so what is left is its own work: decoding each record, writing both images as JSON, and calls that "
        + "leave less than full when few records remain (a batch of 100 ends in part-filled calls).";

    private const string DenormalizeWhy =
        "Each update is a PartiQL UPDATE conditional on the order's copy being older than the rename (userVersion), so racing or "
        + "redelivered renames never write an older name (BatchWriteItem cannot carry a condition and would replace whole orders); "
        + "they go 25 a BatchExecuteStatement call, each answered on its own. A user with many orders fills the calls; a batch of "
        + "records of users with 2 orders each sends a Query and a call of 2 statements per record, so there most of the gap is "
        + "DynamoDB Local's cost per request, against one per 25 items on the raw side.";

    /// <summary>
    /// Where the time went: CPU per item written in this process (the function, or the raw loop) and in DynamoDB
    /// Local, for both sides. On 2 shared cores the side that costs more CPU per item is the slower one.
    /// </summary>
    private static void AddCpu(SectionResult section, string measure, string work, string why, int items, CpuUse function, int rawItems, CpuUse raw)
    {
        static string PerItem(TimeSpan? total, int count) => total is { } t ? Format.Ms(t.TotalMilliseconds / count) : "(not measured)";
        section.Details.Add(
            $"{measure}, CPU per item: function {PerItem(function.Self, items)} in this process + {PerItem(function.DynamoDb, items)} in DynamoDB Local "
            + $"({work}); raw {PerItem(raw.Self, rawItems)} + {PerItem(raw.DynamoDb, rawItems)} (BatchWriteItem, 25 items a request)");
        var row = section.Rows.Last(r => r.Measure.StartsWith(measure, StringComparison.Ordinal));
        if (row.Verdict.StartsWith("missed", StringComparison.Ordinal) && function.DynamoDb is { } f && raw.DynamoDb is { } r && r > TimeSpan.Zero)
        {
            var ours = (function.Self + f).TotalMilliseconds / items;
            var theirs = (raw.Self + r).TotalMilliseconds / rawItems;
            section.Notes.Add(
                $"**{measure}** {row.Verdict}: each item costs {Format.Ms(ours)} of CPU in all (function {Format.Ms(function.Self.TotalMilliseconds / items)}, "
                + $"DynamoDB Local {Format.Ms(f.TotalMilliseconds / items)}) against {Format.Ms(theirs)} for the raw BatchWriteItem "
                + $"(DynamoDB Local {Format.Ms(r.TotalMilliseconds / rawItems)}). The function sends {work}; the raw side "
                + $"BatchWriteItem calls of 25 items and no condition. {why}");
        }
    }

    private static void AddRate(SectionResult section, string measure, int items, TimeSpan time, int rawItems, TimeSpan rawTime)
    {
        var ours = items / time.TotalSeconds;
        var raw = rawItems / rawTime.TotalSeconds;
        section.Rows.Add(new Row
        {
            Measure = measure,
            Ours = Format.Rate(ours, "items"),
            Baseline = Format.Rate(raw, "items"),
            Ratio = ours / raw,
            Goal = Goal.Min(0.5, ">= 0.5"),
        });
    }
}
