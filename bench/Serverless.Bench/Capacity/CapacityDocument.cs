using System.Globalization;
using System.Text;
using Serverless.Bench.Support;

namespace Serverless.Bench.Capacity;

/// <summary>Writes docs/capacity.md from one run's figures: nothing in it is typed by hand but the model's stated assumptions.</summary>
public static class CapacityDocument
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Write(BenchContext context, List<CapacityBench.Operation> measured, CapacityModel model, HotPartitionSimulation simulation)
    {
        var doc = new StringBuilder();
        void Line(string text = "") => doc.Append(text).Append('\n');
        string N(double value, string format = "#,0.##") => value.ToString(format, Invariant);

        Line("# Capacity and cost");
        Line();
        Line($"Written by the `capacity` section of `bash bench/run{(context.Quick ? " --quick" : "")}` on "
             + $"{DateTimeOffset.UtcNow:yyyy-MM-dd} ({(context.Quick ? "quick run: fewer repetitions" : "full run")}; the same run gives the "
             + "section's rows in `docs/benchmarks.md`). Every measured figure below comes from that run, through the repositories the API and");
        Line("the stream functions use, on DynamoDB Local with `ReturnConsumedCapacity = INDEXES` on every call "
             + "(`bench/Serverless.Bench/Capacity/`); the model's assumptions (baseline, mix, prices) are stated where they are used. "
             + "Regenerate it with `bash bench/run capacity report`.");
        Line();

        Line("## What each operation consumes");
        Line();
        Line("Mean per operation. Read and write units are DynamoDB's request units (on-demand) or capacity units (provisioned): the table's");
        Line("share and each index's apart. \"Items\" counts the items written (index items such as email markers, words and cities included) or returned.");
        Line();
        var targets = measured.SelectMany(o => o.MeanUnitsByTarget.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        Line("| operation | calls | RCU | WCU | " + string.Join(" | ", targets) + " | items written | items returned |");
        Line("|---|---|---|---|" + string.Concat(targets.Select(_ => "---|")) + "---|---|");
        foreach (var operation in measured)
        {
            Line($"| {operation.Name} | {N(operation.Calls.Count / (double)operation.Runs, "0.#")} | {N(operation.MeanRead)} | {N(operation.MeanWrite)} | "
                 + string.Join(" | ", targets.Select(t => operation.MeanUnitsByTarget.TryGetValue(t, out var u) && u > 0 ? N(u) : "")) + $" | {N(operation.MeanItemsWritten, "0.#")} | {N(operation.MeanItemsReturned, "0.#")} |");
        }

        var computable = measured.SelectMany(o => o.Calls).Where(c => c.ExpectedTableUnits is not null).ToList();
        var matching = computable.Count(c => Math.Abs(c.TableUnits - c.ExpectedTableUnits!.Value) < 1e-9);
        Line();
        Line($"**Checked against the item-size arithmetic**: of the {computable.Count} calls whose table share the call alone determines "
             + "(GetItem, Query without a filter, PutItem, BatchWriteItem puts, a transaction that only creates items), "
             + $"{matching} consumed exactly what the arithmetic gives (4 KB a read unit, half for an eventually consistent read, the "
             + "items a Query reads summed before rounding; 1 KB a write unit, twice in a transaction). The others depend on a stored "
             + "item's size (an update's, a replacing put's, a delete's, the item a condition check reads), which the call does not "
             + "carry: their figures are DynamoDB Local's own, used as measured.");
        Line();
        Line($"A user item is {N(model.UserItemBytes, "#,0")} bytes as stored (sealed PII and blind indexes included) and an order header "
             + $"{N(model.OrderItemBytes, "#,0")} bytes; every index projects all attributes, so each index entry of an item costs "
             + $"the item's own {N(model.UserIndexEntryUnits, "0")} and {N(model.OrderIndexEntryUnits, "0")} write unit(s) when written.");
        Line();

        Line("## Baseline and mix");
        Line();
        Line($"The baseline: {N(CapacityModel.BaselineUsers, "#,0")} users, {N(CapacityModel.BaselineWritesPerSecond, "#,0")} user-facing "
             + $"writes a second, {N(CapacityModel.BaselineReadsPerSecond, "#,0")} reads a second, divided as below (an assumption of the "
             + $"model, not a measurement). Each user has {N(CapacityModel.OrdersPerUser, "0")} orders, so a name or email change makes the "
             + "denormalization function rewrite ten order headers; every entity item changed is one audit entry. No cache hits are "
             + "counted (docs/caching.md): the read figures are what DynamoDB serves without the cache.");
        Line();
        Line("| write path | share | entity items changed | | access pattern | share |");
        Line("|---|---|---|---|---|---|");
        for (var i = 0; i < Math.Max(CapacityModel.WriteMix.Count, CapacityModel.ReadMix.Count); i++)
        {
            var w = i < CapacityModel.WriteMix.Count ? CapacityModel.WriteMix[i] : default;
            var r = i < CapacityModel.ReadMix.Count ? CapacityModel.ReadMix[i] : default;
            Line($"| {w.Operation} | {(w.Operation is null ? "" : N(w.Share, "0%"))} | {(w.Operation is null ? "" : w.EntityChanges.ToString(Invariant))} | | "
                 + $"{r.Operation} | {(r.Operation is null ? "" : N(r.Share, "0%"))} |");
        }

        Line();
        Line("## Load at 10x, 100x and 1,000x");
        Line();
        Line("| load | users | reads/s | writes/s | RCU/s | WCU/s | of which stream functions (audit, denormalization) | on-demand $/hour |");
        Line("|---|---|---|---|---|---|---|---|");
        foreach (var s in model.Scales)
        {
            Line($"| {N(s.Multiple, "#,0")}x | {N(s.Users, "#,0")} | {N(s.ReadsPerSecond, "#,0")} | {N(s.WritesPerSecond, "#,0")} | {N(s.ReadUnitsPerSecond, "#,0")} | "
                 + $"{N(s.WriteUnitsPerSecond, "#,0")} | {N(s.StreamWriteUnitsPerSecond, "#,0")} ({N(s.AuditEntriesPerSecond, "#,0")} audit entries, "
                 + $"{N(s.DenormalizedOrdersPerSecond, "#,0")} order copies) | {N(s.DollarsPerHour, "#,0.00")} |");
        }

        Line();
        Line("The table's total throughput is not the limit: on-demand tables scale to any of these rates given time (a new table starts");
        Line("at 4,000 write and 12,000 read units a second and doubles its peak as traffic holds; pre-warm before a launch). One");
        Line($"partition is: {N(CapacityModel.PartitionWriteLimit, "#,0")} write units and {N(CapacityModel.PartitionReadLimit, "#,0")} read units a second "
             + "for one partition key value, of the table or of an index. Those are met in this order:");
        Line();

        Line("### 1. The users-by-status partition of GSI1 (first to run hot)");
        Line();
        Line("Every write of a user item (sign-up, update, email change, soft delete, restore) rewrites its GSI1 entry under `STATUS#<status>`");
        Line("(`IndexKeys.UsersByStatus`), and almost every user is active: one partition takes all of them unless `CreatedDateShards` splits it.");
        Line($"The model plans each shard at {N(CapacityModel.Headroom, "0%")} of the limit; the simulation spreads {simulation.Seconds} seconds of the "
             + "load's user-item writes (random ids) over that many shards with the data layer's own shard function and reports the busiest shard's worst second.");
        Line();
        Line("| load | user-item writes/s | unsharded WCU/s | shards needed | busiest shard, simulated |");
        Line("|---|---|---|---|---|");
        foreach (var s in model.Scales)
        {
            var sim = simulation.At(s.Multiple);
            Line($"| {N(s.Multiple, "#,0")}x | {N(s.UserItemWritesPerSecond, "#,0")} | {N(s.StatusPartitionUnits, "#,0")} | {s.StatusShards} | "
                 + $"{N(sim.BusiestShardUnits, "#,0")} WCU/s ({N(sim.BusiestShardUnits / CapacityModel.PartitionWriteLimit, "0%")} of the limit) |");
        }

        var beyond = model.Scales.Where(s => s.StatusShards > CapacityModel.TemplateMaxShards).Select(s => $"{s.Multiple:#,0}x").ToList();
        Line();
        Line($"The template's `CreatedDateShards` (default 1, at most {CapacityModel.TemplateMaxShards}) sets these shards and the CreatedDateIndex "
             + "month's alike; changing it is a migration (`migrate`), and each read of users by status or of recent users then queries every "
             + "shard and merges, so a read's cost grows with the count."
             + (beyond.Count > 0 ? $" At {string.Join(", ", beyond)} the count needed is beyond the template's maximum: that load needs the parameter's limit raised, or the status entry moved off GSI1 for active users (a sparse index of the non-active ones), before it arrives." : ""));
        Line();

        Line("### 2. This month's CreatedDateIndex partition");
        Line();
        Line($"Every sign-up lands in the current month (`yyyy-MM`), with the updates of the users who signed up this month (the model "
             + $"spreads updates over {CapacityModel.SignUpMonths} months of sign-ups).");
        Line();
        Line("| load | WCU/s on the month | shards needed |");
        Line("|---|---|---|");
        foreach (var s in model.Scales)
        {
            Line($"| {N(s.Multiple, "#,0")}x | {N(s.MonthPartitionUnits, "#,0")} | {s.MonthShards} |");
        }

        var recent = model.Units("recent active users (50)", write: false);
        var recentShare = CapacityModel.ReadMix.First(r => r.Operation == "recent active users (50)").Share;
        Line();
        Line($"Reads meet it too: recent active users ({N(recentShare, "0%")} of reads, {N(recent)} RCU each) read the newest month first; at "
             + string.Join(", ", model.Scales.Select(s => $"{s.Multiple:#,0}x {N(s.ReadsPerSecond * recentShare * recent, "#,0")} RCU/s"))
             + $" on that month, against {N(CapacityModel.PartitionReadLimit, "#,0")} a partition: the user cache (docs/caching.md) or the shards above are what carry it.");
        Line();

        Line("### 3. A user with 100,000 orders, under denormalization");
        Line();
        var heavyUnits = CapacityModel.HeavyUserOrders * model.OrderIndexEntryUnits;
        Line($"A name or email change of a user with {N(CapacityModel.HeavyUserOrders, "#,0")} orders rewrites {N(CapacityModel.HeavyUserOrders, "#,0")} "
             + $"order headers ({N(model.DenormalizedOrderUnits)} WCU each, measured as an order status update, which rewrites the same item). "
             + "Each header is its own partition of the table, but all of them are entries of one GSI1 partition (`USER#<id>`, the user's "
             + $"orders): {N(heavyUnits, "#,0")} write units into one partition key, at least {N(heavyUnits / CapacityModel.PartitionWriteLimit, "#,0")} "
             + "seconds at the partition's limit however the function parallelises. An index that cannot keep up throttles the table's "
             + "writes to those items, so the function backs off and retries (its version guard keeps a late copy from overwriting a newer "
             + "one). The model's average user (ten orders) is far from it; a merchant-sized account needs its orders' copies dropped "
             + "(read the user's name at read time) or the orders' GSI1 key sharded.");
        Line();

        Line("### 4. A stream shard against Lambda's per-shard concurrency");
        Line();
        var perEntryMs = model.Milliseconds("audit entry (stream)");
        var perInvocation = 1000 / perEntryMs;
        Line($"Each stream shard is read by one invocation at a time (the template's mappings keep `ParallelizationFactor` at 1; it goes to 10), "
             + $"and a shard carries the writes of about one table partition, at most {N(CapacityModel.PartitionWriteLimit, "#,0")} a second. "
             + $"The audit function writes an entry in {Format.Ms(perEntryMs)} here (DynamoDB Local on this machine; DynamoDB itself is "
             + $"faster), so one invocation writing them one after another keeps up with about {N(perInvocation, "#,0")} records a second: "
             + $"a shard at its partition's full write rate needs a factor of {Math.Max(1, (int)Math.Ceiling(CapacityModel.PartitionWriteLimit / perInvocation))} "
             + "or the function's own parallel writes. The stream's shard count grows with the table's partitions, so the total is not the limit; a hot partition's shard is.");
        Line();

        Line("## Cost");
        Line();
        Line($"On-demand list prices, us-east-1: ${N(CapacityModel.PricePerMillionReadUnits, "0.000")} per million read request units, "
             + $"${N(CapacityModel.PricePerMillionWriteUnits, "0.000")} per million write request units; Lambda x86_64 "
             + $"${CapacityModel.LambdaPricePerGbSecond.ToString("0.0000000000", Invariant)} per GB-second at the template's "
             + $"{N(CapacityModel.FunctionMemoryGb * 1024, "0")} MB and ${N(CapacityModel.LambdaPricePerMillionRequests, "0.00")} per million "
             + $"invocations; HTTP API ${N(CapacityModel.HttpApiPricePerMillionRequests, "0.00")} per million requests. The function's billed duration "
             + "is the operation's measured mean time here (repository and DynamoDB Local; the HTTP layer adds little, the `api` section "
             + "measures it), rounded up to the millisecond. Check the pricing pages before relying on a figure.");
        Line();
        Line("| request | $ per million | of which DynamoDB |");
        Line("|---|---|---|");
        foreach (var (operation, _, _) in CapacityModel.WriteMix)
        {
            Line($"| {operation} | {N(model.CostPerMillionRequests(operation, write: true), "0.00")} | {N(model.Units(operation, write: true) * CapacityModel.PricePerMillionWriteUnits, "0.00")} |");
        }

        foreach (var (operation, _) in CapacityModel.ReadMix)
        {
            Line($"| {operation} | {N(model.CostPerMillionRequests(operation, write: false), "0.00")} | {N(model.Units(operation, write: false) * CapacityModel.PricePerMillionReadUnits, "0.00")} |");
        }

        var blended = (CapacityModel.WriteMix.Sum(w => w.Share * CapacityModel.BaselineWritesPerSecond * model.CostPerMillionRequests(w.Operation, true))
                       + CapacityModel.ReadMix.Sum(r => r.Share * CapacityModel.BaselineReadsPerSecond * model.CostPerMillionRequests(r.Operation, false)))
                      / (CapacityModel.BaselineWritesPerSecond + CapacityModel.BaselineReadsPerSecond);
        Line();
        Line($"At the baseline's mix a million API requests cost about ${N(blended, "0.00")}, most of it the HTTP API's and Lambda's request fees; "
             + $"a million audited stream records about ${N(model.CostPerMillionAuditRecords(), "0.00")} (the entry's "
             + $"{N(model.AuditEntryUnits)} write units, and a hundredth of an invocation each at a batch of {CapacityModel.StreamBatchSize}).");
        Line();

        Line("## What the model leaves out");
        Line();
        Line("- DynamoDB Local reports capacity by DynamoDB's formula; its latencies are not DynamoDB's. The durations above are this machine's.");
        Line("- Transactions' conflicts and retries, throttled retries, and the stream functions' reads (GetRecords is free to Lambda's mappings) are not counted.");
        Line("- The cache: each hit is a read DynamoDB does not serve (docs/caching.md measures the hit ratio).");
        Line("- Storage: $0.25 per GB-month on DynamoDB Standard; the `stats` command counts the table's items and bytes.");
        return doc.ToString();
    }
}
