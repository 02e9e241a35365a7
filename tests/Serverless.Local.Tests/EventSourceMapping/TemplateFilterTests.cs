using System.Text.Json;
using Serverless.Data.Table;
using Serverless.Data.Tools.Seeding;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Seed;
using Serverless.Local.Tests.Support;
using Serverless.Local.Ttl;
using Serverless.Testing;
using Xunit;
using static Serverless.Local.Tests.Support.StreamTables;

namespace Serverless.Local.Tests.EventSourceMapping;

/// <summary>
/// The stream functions' mappings as the repository's template.yaml defines them (FilterCriteria, batching, retries),
/// run by the emulator on a real DynamoDB Local stream: what a function's filter excludes never reaches it.
/// </summary>
public sealed class TemplateFilterTests(DynamoDbLocalFixture dynamo)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Records_the_templates_filters_exclude_never_reach_the_function_and_the_sentinels_after_them_do()
    {
        var table = await CreateAsync(dynamo.Client, "esm-template", _ct);
        var settings = await SamTemplateLoader.LoadFileAsync(RepoPaths.Of("template.yaml"), ct: _ct);
        var functions = new[] { "AuditFunction", "DenormalizeFunction", "PurgeFunction" }.ToDictionary(f => f, _ => new RecordingFunction());
        var mappings = functions.Select(f => new StreamFunctionMapping(Assert.Single(settings, s => s.FunctionName == f.Key), table, f.Value.InvokeAsync)).ToList();
        var ttlDeletions = new TtlDeletionLog();
        var sweeper = new TtlSweeper(dynamo.Client, new TtlSweeperOptions { TableNames = [table] }, ttlDeletions);
        var expired = ("ttl", N(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60));
        await using var emulator = await EmulatorHarness.StartAsync(dynamo, mappings, _ct, ttlDeletions);

        // Excluded somewhere: an audit entry (the audit function's own output), items no function handles, a user's
        // INSERT and an order's changes (not the denormalization's), a caller's removal of a user (not the purge's).
        await PutAsync(dynamo.Client, table, "AUDIT#User#1", "entry", _ct, Type("AuditEntry"));
        await PutAsync(dynamo.Client, table, "USER#1", "PROFILE", _ct, Type("User"));
        await PutAsync(dynamo.Client, table, "ORDER#1", "ORDER", _ct, Type("Order"));
        await PutAsync(dynamo.Client, table, "ORDER#1", "ORDER", _ct, Type("Order"), ("userName", S("Ada")));
        await DeleteAsync(dynamo.Client, table, "USER#1", "PROFILE", _ct);
        await PutAsync(dynamo.Client, table, "EMAIL#ada@example.com", "EMAIL", _ct, Type("EmailMarker"), expired);
        Assert.Equal(1, await sweeper.SweepOnceAsync(_ct)); // a TTL removal, but of a marker, not a user

        // Sentinels, each written after everything its function must not see: records of a shard arrive in order.
        await PutAsync(dynamo.Client, table, "USER#2", "PROFILE", _ct, Type("User"), ("name", S("Grace")));
        await PutAsync(dynamo.Client, table, "USER#2", "PROFILE", _ct, Type("User"), ("name", S("Grace Hopper")));
        await PutAsync(dynamo.Client, table, "USER#3", "PROFILE", _ct, Type("User"), expired);
        Assert.Equal(1, await sweeper.SweepOnceAsync(_ct));
        await PutAsync(dynamo.Client, table, "PRODUCT#1", "PRODUCT", _ct, Type("Product"));
        await Eventually.WaitUntilAsync(
            () => Received(functions["AuditFunction"]).Contains("INSERT PRODUCT#1")
                && Received(functions["DenormalizeFunction"]).Count > 0
                && Received(functions["PurgeFunction"]).Count > 0,
            "every function's sentinel arrived",
            _ct,
            TimeSpan.FromSeconds(30));

        Assert.Equal(["REMOVE USER#3"], Received(functions["PurgeFunction"]));
        Assert.Equal(["MODIFY USER#2"], Received(functions["DenormalizeFunction"]));
        Assert.Equal(
            ["INSERT USER#1", "INSERT ORDER#1", "MODIFY ORDER#1", "REMOVE USER#1", "INSERT USER#2", "MODIFY USER#2", "INSERT USER#3", "REMOVE USER#3", "INSERT PRODUCT#1"],
            Received(functions["AuditFunction"]));
    }

    [Fact]
    public async Task A_seeded_scenario_invokes_neither_the_audit_nor_the_denormalization_function()
    {
        var table = $"esm-seed-{Guid.NewGuid():N}";
        var settings = await SamTemplateLoader.LoadFileAsync(RepoPaths.Of("template.yaml"), ct: _ct);
        var functions = new[] { "AuditFunction", "DenormalizeFunction" }.ToDictionary(f => f, _ => new RecordingFunction());
        var mappings = functions.Select(f => new StreamFunctionMapping(Assert.Single(settings, s => s.FunctionName == f.Key), table, f.Value.InvokeAsync)).ToList();
        // The seed command's own path: the project's table (with its stream), the generator, the batch writer.
        var request = new SeedRequest(SeedScenario.Small);
        var seeder = new DataSeeder(dynamo.Client, TimeProvider.System);
        Assert.Equal(ScenarioCounts.For(SeedScenario.Small).Total, await seeder.SeedAsync(table, request, null, _ct));
        await using var emulator = await EmulatorHarness.StartAsync(dynamo, mappings, _ct);

        // Seeding again rewrites every item (MODIFYs where anything differs: a later --as-of moves every timestamp).
        Assert.Equal(ScenarioCounts.For(SeedScenario.Small).Total, await seeder.SeedAsync(table, request with { AsOf = SeedDefaults.AsOf.AddDays(1) }, null, _ct));

        // Then someone renames a seeded user: a change like any other, after every seeded record in the shard.
        var user = DataSeeder.Items(request, Sealing.Ephemeral()).First(i => i[Attr.EntityType].S == EntityTypes.User);
        await dynamo.Client.UpdateItemAsync(
            new Amazon.DynamoDBv2.Model.UpdateItemRequest
            {
                TableName = table,
                Key = new() { [Attr.PK] = user[Attr.PK], [Attr.SK] = user[Attr.SK] },
                UpdateExpression = "SET #name = :name, #writer = :writer",
                ExpressionAttributeNames = new() { ["#name"] = "name", ["#writer"] = Attr.LastWriter },
                ExpressionAttributeValues = new() { [":name"] = S("Renamed Person"), [":writer"] = S("user:tester") },
            },
            _ct);
        await Eventually.WaitUntilAsync(
            () => functions.Values.All(f => f.AllRecords.Count > 0),
            "the rename reached both functions",
            _ct,
            TimeSpan.FromSeconds(60));

        var renamed = $"MODIFY {user[Attr.PK].S}";
        Assert.Equal([renamed], Received(functions["AuditFunction"]));
        Assert.Equal([renamed], Received(functions["DenormalizeFunction"]));
        Assert.All(functions.Values, f => Assert.Single(f.Invocations));
    }

    private static (string, Amazon.DynamoDBv2.Model.AttributeValue) Type(string entityType) => ("entityType", S(entityType));

    private static List<string> Received(RecordingFunction function) =>
        [.. function.AllRecords.Select(r => $"{r.GetProperty("eventName").GetString()} {PartitionKey(r)}")];

    private static string PartitionKey(JsonElement record) =>
        record.GetProperty("dynamodb").GetProperty("Keys").GetProperty("PK").GetProperty("S").GetString()!;
}
