using Amazon.DynamoDBv2.Model;
using Serverless.Data.Tools.Migrations;
using Serverless.Testing;
using Xunit;

namespace Serverless.Data.Tools.Tests.Migrations;

/// <summary>
/// The seed's v1 -> v2 migration run directly on 10,000 v1 users, 5% of them with invalid phones, against DynamoDB
/// Local: checkpoints, dry runs, reruns, parallel segments, the rate limit. Through the CLI: MigrateCommandTests.
/// </summary>
public sealed class UserPhoneMigrationTests(DynamoDbLocalFixture fixture)
{
    private const int Users = 10_000;
    private const int Invalid = Users / V1Users.InvalidEvery;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_cancelled_midway_resumes_from_its_checkpoint_and_writes_each_item_once()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await V1Users.WriteAsync(table.Admin, table.Name, Users, Ct);
        var recorder = new WriteRecorder();
        using var client = recorder.CreateClient(fixture);
        var migration = new UserPhoneMigration(client, table.Name, TimeProvider.System);
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        recorder.CancelAfter = kill;
        recorder.CancelAfterUpdates = 3_000;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => migration.UpAsync(new MigrationRunOptions(), null, kill.Token));
        var afterKill = recorder.UpdatesByKey.Count;
        var checkpoint = (await migration.StatusAsync(Ct)).LastRun;
        Assert.NotNull(checkpoint);
        Assert.True(checkpoint.IsRunning);
        Assert.InRange(afterKill, 3_000, Users - Invalid - 1);

        recorder.ClearRequests();
        var resumed = await migration.UpAsync(new MigrationRunOptions(), null, Ct);

        Assert.True(resumed.Resumed);
        // It continued from the saved scan position, not from the start of the table.
        var firstScan = recorder.Requests.First(r => r.Operation == "Scan");
        Assert.Contains("ExclusiveStartKey", firstScan.Body, StringComparison.Ordinal);
        // Every valid user written exactly once across both runs; no invalid one written at all.
        Assert.Equal(Users - Invalid, recorder.UpdatesByKey.Count);
        Assert.All(recorder.UpdatesByKey, entry => Assert.Equal(1, entry.Value));
        Assert.Equal(Invalid, resumed.Failures.Count);
        var status = await migration.StatusAsync(Ct);
        Assert.Equal((Invalid, (long)(Users - Invalid)), (status.UsersAtV1, status.UsersAtV2));
        Assert.False(status.LastRun!.IsRunning);
    }

    [Fact]
    public async Task A_dry_run_counts_what_would_change_and_writes_nothing()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await V1Users.WriteAsync(table.Admin, table.Name, Users, Ct);
        var before = ItemText.Sorted(await table.AllItemsAsync(Ct));
        var recorder = new WriteRecorder();
        using var client = recorder.CreateClient(fixture);

        var report = await new UserPhoneMigration(client, table.Name, TimeProvider.System).UpAsync(new MigrationRunOptions { DryRun = true }, null, Ct);

        Assert.True(report.DryRun);
        Assert.Equal(new MigrationCounts(Users, Users - Invalid, 0, Invalid), report.Counts);
        Assert.Equal(Invalid, report.Failures.Count);
        Assert.Empty(recorder.Writes);
        Assert.Equal(before, ItemText.Sorted(await table.AllItemsAsync(Ct)));
    }

    [Fact]
    public async Task Running_up_again_after_it_completed_writes_no_user_again()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await V1Users.WriteAsync(table.Admin, table.Name, 500, Ct);
        var recorder = new WriteRecorder();
        using var client = recorder.CreateClient(fixture);
        var migration = new UserPhoneMigration(client, table.Name, TimeProvider.System);
        await migration.UpAsync(new MigrationRunOptions(), null, Ct);
        var firstRun = recorder.UpdatesByKey.Values.Sum();

        var again = await migration.UpAsync(new MigrationRunOptions(), null, Ct);

        Assert.Equal(500 - (500 / V1Users.InvalidEvery), firstRun);
        Assert.Equal(firstRun, recorder.UpdatesByKey.Values.Sum());
        Assert.Equal(0, again.Counts.Changed);
        // The invalid ones are still there, still v1, and still reported.
        Assert.Equal(500 / V1Users.InvalidEvery, again.Failures.Count);
    }

    [Fact]
    public async Task Parallel_segments_write_every_item_once_whether_or_not_the_endpoint_honours_them()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await V1Users.WriteAsync(table.Admin, table.Name, 400, Ct);
        var recorder = new WriteRecorder();
        using var client = recorder.CreateClient(fixture);
        var honoured = await ScanSegments.AreHonouredAsync(table.Admin, table.Name, Ct);

        var report = await new UserPhoneMigration(client, table.Name, TimeProvider.System).UpAsync(new MigrationRunOptions { Segments = 4 }, null, Ct);

        Assert.Equal(honoured ? 4 : 1, report.Segments);
        Assert.Equal(!honoured, report.Notices.Any(n => n.Contains("ignores parallel scan segments", StringComparison.Ordinal)));
        Assert.Equal(400 - 20, recorder.UpdatesByKey.Count);
        Assert.All(recorder.UpdatesByKey, entry => Assert.Equal(1, entry.Value));
    }

    [Fact]
    public async Task Segment_detection_agrees_with_what_the_endpoint_returns_per_segment()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await V1Users.WriteAsync(table.Admin, table.Name, 200, Ct);

        var segment0 = await KeysOfSegmentAsync(table, 0);
        var segment1 = await KeysOfSegmentAsync(table, 1);

        // Honoured segments are disjoint; ignored ones each return the whole table.
        Assert.Equal(!segment0.Overlaps(segment1), await ScanSegments.AreHonouredAsync(table.Admin, table.Name, Ct));
    }

    private static async Task<HashSet<string>> KeysOfSegmentAsync(TestTable table, int segment)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await table.Admin.ScanAsync(new ScanRequest { TableName = table.Name, Segment = segment, TotalSegments = 2, ExclusiveStartKey = start }, Ct);
            keys.UnionWith(page.Items.Select(i => i["PK"].S));
            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        return keys;
    }

    [Fact]
    public async Task The_rate_limit_spaces_the_writes()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await V1Users.WriteAsync(table.Admin, table.Name, 120, Ct);
        var migration = new UserPhoneMigration(table.Client, table.Name, TimeProvider.System);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var report = await migration.UpAsync(new MigrationRunOptions { RatePerSecond = 200 }, null, Ct);

        // 114 writes at 200/s cannot take less than about 0.57 s, however fast the endpoint is.
        Assert.Equal(114, report.Counts.Changed);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(0.5), $"took {started.Elapsed}");
    }
}
