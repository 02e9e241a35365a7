using Amazon.DynamoDBv2.Model;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Tests.Support;
using Serverless.Local.Ttl;
using Serverless.Testing;
using Xunit;
using static Serverless.Local.Tests.Support.StreamTables;

namespace Serverless.Local.Tests.Ttl;

public sealed class TtlSweeperTests(DynamoDbLocalFixture dynamo)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Only_items_whose_ttl_has_passed_are_deleted()
    {
        var table = await CreateAsync(dynamo.Client, "ttl-sweep", _ct);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await PutAsync(dynamo.Client, table, "U", "expired", _ct, ("ttl", N(now - 60)));
        await PutAsync(dynamo.Client, table, "U", "future", _ct, ("ttl", N(now + 3600)));
        await PutAsync(dynamo.Client, table, "U", "no-ttl", _ct);
        await PutAsync(dynamo.Client, table, "U", "text-ttl", _ct, ("ttl", S((now - 60).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        await PutAsync(dynamo.Client, table, "U", "ancient", _ct, ("ttl", N(now - (6L * 365 * 24 * 3600))));
        var sweeper = new TtlSweeper(dynamo.Client, new TtlSweeperOptions { TableNames = [table] }, new TtlDeletionLog());

        var deleted = await sweeper.SweepOnceAsync(_ct);

        Assert.Equal(1, deleted);
        Assert.Equal(["ancient", "future", "no-ttl", "text-ttl"], await SortKeysAsync(table));
        Assert.Equal(0, await sweeper.SweepOnceAsync(_ct));
    }

    [Fact]
    public async Task The_sweeper_pages_through_a_table_larger_than_one_scan_page()
    {
        var table = await CreateAsync(dynamo.Client, "ttl-pages", _ct);
        var padding = new string('x', 350_000);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // Scan pages stop at 1 MB: four 350 KB items span two pages.
        for (var i = 0; i < 4; i++)
        {
            await PutAsync(dynamo.Client, table, "U", $"big{i}", _ct, ("ttl", N(now - 10)), ("pad", S(padding)));
        }

        var deleted = await new TtlSweeper(dynamo.Client, new TtlSweeperOptions { TableNames = [table] }, new TtlDeletionLog()).SweepOnceAsync(_ct);

        Assert.Equal(4, deleted);
        Assert.Empty(await SortKeysAsync(table));
    }

    [Fact]
    public async Task A_ttl_deletion_is_marked_as_the_service_marks_it_and_a_users_delete_is_not()
    {
        var table = await CreateAsync(dynamo.Client, "ttl-identity", _ct);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await PutAsync(dynamo.Client, table, "U", "expired", _ct, ("ttl", N(now - 60)));
        await PutAsync(dynamo.Client, table, "U", "deleted-by-user", _ct, ("ttl", N(now - 60)));
        var log = new TtlDeletionLog();
        var function = new RecordingFunction();
        var mapping = new StreamFunctionMapping(new EventSourceMappingSettings { FunctionName = "PurgeFunction" }, table, function.InvokeAsync);
        await using var emulator = await EmulatorHarness.StartAsync(dynamo, mapping, _ct, log);

        // The user's delete comes first, so the sweeper finds only the other item.
        await DeleteAsync(dynamo.Client, table, "U", "deleted-by-user", _ct);
        Assert.Equal(1, await new TtlSweeper(dynamo.Client, new TtlSweeperOptions { TableNames = [table] }, log).SweepOnceAsync(_ct));
        await Eventually.WaitUntilAsync(() => function.AllRecords.Count(r => r.GetProperty("eventName").GetString() == "REMOVE") == 2, "both REMOVE records arrived", _ct);

        var removes = function.AllRecords.Where(r => r.GetProperty("eventName").GetString() == "REMOVE").ToList();
        var byUser = removes.Single(r => SortKey(r) == "deleted-by-user");
        var byTtl = removes.Single(r => SortKey(r) == "expired");
        Assert.False(byUser.TryGetProperty("userIdentity", out _));
        var identity = byTtl.GetProperty("userIdentity");
        Assert.Equal(["type", "principalId"], TestPaths.Keys(identity));
        Assert.Equal("Service", identity.GetProperty("type").GetString());
        Assert.Equal("dynamodb.amazonaws.com", identity.GetProperty("principalId").GetString());

        // Where the sample's TTL REMOVE has it: after awsRegion, before dynamodb.
        using var sample = TestPaths.Sample("dynamodb-event.json");
        Assert.Equal(TestPaths.Keys(sample.RootElement.GetProperty("Records")[1]), TestPaths.Keys(byTtl));
    }

    [Fact]
    public async Task DynamoDB_Locals_own_ttl_deletion_reaches_the_function_marked_as_the_service_marks_it()
    {
        // Not the sweeper: the DynamoDB Local we run expires items itself once TTL is on, and the emulator must pass on
        // its mark, or the purge function's filter would never see a TTL deletion locally.
        var table = await CreateAsync(dynamo.Client, "ttl-native", _ct);
        await dynamo.Client.UpdateTimeToLiveAsync(
            new UpdateTimeToLiveRequest { TableName = table, TimeToLiveSpecification = new TimeToLiveSpecification { Enabled = true, AttributeName = "ttl" } },
            _ct);
        var function = new RecordingFunction();
        var mapping = new StreamFunctionMapping(new EventSourceMappingSettings { FunctionName = "PurgeFunction" }, table, function.InvokeAsync);
        await using var emulator = await EmulatorHarness.StartAsync(dynamo, mapping, _ct, new TtlDeletionLog());

        await PutAsync(dynamo.Client, table, "U", "expired", _ct, ("ttl", N(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60)));
        await Eventually.WaitUntilAsync(
            () => function.AllRecords.Any(r => r.GetProperty("eventName").GetString() == "REMOVE"), "DynamoDB Local expired the item", _ct, TimeSpan.FromSeconds(90));

        var remove = function.AllRecords.Single(r => r.GetProperty("eventName").GetString() == "REMOVE");
        var identity = remove.GetProperty("userIdentity");
        Assert.Equal(["type", "principalId"], TestPaths.Keys(identity));
        Assert.Equal("Service", identity.GetProperty("type").GetString());
        Assert.Equal("dynamodb.amazonaws.com", identity.GetProperty("principalId").GetString());
    }

    [Fact]
    public async Task The_periodic_loop_sweeps_items_that_expire_while_it_runs()
    {
        var table = await CreateAsync(dynamo.Client, "ttl-loop", _ct);
        var options = new TtlSweeperOptions { TableNames = [table], Interval = TimeSpan.FromMilliseconds(100) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        var loop = new TtlSweeper(dynamo.Client, options, new TtlDeletionLog()).RunAsync(stop.Token);

        await PutAsync(dynamo.Client, table, "U", "soon", _ct, ("ttl", N(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1)));
        await PutAsync(dynamo.Client, table, "U", "later", _ct, ("ttl", N(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600)));
        List<string> remaining;
        try
        {
            remaining = await Eventually.UntilAsync(
                () => SortKeysAsync(table),
                keys => !keys.Contains("soon"),
                "the running loop swept the item that expired",
                _ct,
                TimeSpan.FromSeconds(10),
                detail: keys => "still in the table: " + string.Join(", ", keys));
        }
        finally
        {
            await stop.CancelAsync();
            await loop;
        }

        Assert.Equal(["later"], remaining);
    }

    private async Task<List<string>> SortKeysAsync(string table)
    {
        var items = await dynamo.Client.ScanAsync(new ScanRequest { TableName = table, ConsistentRead = true, ProjectionExpression = "SK" }, _ct);
        return (items.Items ?? []).Select(i => i["SK"].S).Order(StringComparer.Ordinal).ToList();
    }

    private static string SortKey(System.Text.Json.JsonElement record) =>
        record.GetProperty("dynamodb").GetProperty("Keys").GetProperty("SK").GetProperty("S").GetString()!;
}
