using System.Text.RegularExpressions;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;
using Serverless.Data.Tools.Migrations;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Users;
using Serverless.Data.Writing;
using Serverless.Local.Migrate;
using Serverless.Local.Seed;
using Serverless.Local.Tests.Seeding;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Migrations;

/// <summary>The seed's v1 -> v2 migration on 10,000 v1 users, 5% of them with invalid phones, against DynamoDB Local.</summary>
public sealed partial class UserPhoneMigrationTests(DynamoDbLocalFixture fixture)
{
    private const int Users = 10_000;
    private const int Invalid = Users / V1Users.InvalidEvery;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Up_migrates_every_valid_user_and_reports_each_invalid_one_with_its_reason()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        var originals = await V1Users.WriteAsync(table.Admin, table.Name, Users, Ct);

        var result = await Cli.RunAsync(MigrateCommand.Create(), "migrate", "up", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);

        Assert.True(result.ExitCode == 0, result.Error);
        var stored = (await UsersAsync(table)).ToDictionary(i => i["PK"].S);
        var reported = FailedLine().Matches(result.Output).Select(m => m.Groups["pk"].Value).ToHashSet();
        Assert.Equal(Invalid, reported.Count);
        for (var i = 0; i < Users; i++)
        {
            var original = originals[i];
            var now = stored[original["PK"].S];
            if (V1Users.IsInvalid(i))
            {
                // Left exactly as it was, and named in the report.
                Assert.Equal(ItemText.Of(original), ItemText.Of(now));
                Assert.Contains(original["PK"].S, reported);
                continue;
            }

            Assert.Equal("2", now["schemaVersion"].N);
            Assert.False(now["metadata"].M.ContainsKey("phone"));
            if (original["metadata"].M.TryGetValue("phone", out var phone))
            {
                Assert.Equal(phone.S, now["phone"].S);
            }
            else
            {
                Assert.False(now.ContainsKey("phone"));
            }

            // Nothing else moved: not the version (clients holding it may still write), not the timestamps.
            foreach (var name in original.Keys.Except(["schemaVersion", "metadata"]))
            {
                Assert.Equal(ItemText.Of(new Dictionary<string, AttributeValue> { [name] = original[name] }), ItemText.Of(new Dictionary<string, AttributeValue> { [name] = now[name] }));
            }

            Assert.Equal(phone?.S, UserMapper.FromItem(now).Phone);
        }

        Assert.Contains($"changed {Users - Invalid:N0}", result.Output, StringComparison.Ordinal);
        Assert.Contains("lacks the leading '+'", result.Output, StringComparison.Ordinal);
        Assert.Contains("metadata.phone is empty.", result.Output, StringComparison.Ordinal);
        // The report describes the problem without repeating the number (personal data).
        Assert.DoesNotContain("555-0100", result.Output, StringComparison.Ordinal);

        var status = await Cli.RunAsync(MigrateCommand.Create(), "migrate", "status", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);
        Assert.True(status.ExitCode == 0, status.Error);
        Assert.Contains($"users at v1: {Invalid:N0}, at v2: {Users - Invalid:N0}", status.Output, StringComparison.Ordinal);
        Assert.Contains("last run: up, completed", status.Output, StringComparison.Ordinal);
        Assert.Contains($"recorded failures: {Invalid:N0}", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_then_down_through_the_cli_leaves_the_whole_table_as_it_was_but_for_the_migrations_own_items()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await V1Users.WriteAsync(table.Admin, table.Name, Users, Ct);
        // Every other entity type beside the users, from the small seed scenario. Its own users are left out: they are
        // v2, and a rollback rightly makes every user v1.
        var neighbours = DataSeeder.Items(new SeedRequest(SeedScenario.Small)).Where(i => i[Attr.EntityType].S != EntityTypes.User).ToList();
        await new BatchWriter(table.Admin, new BatchWriteOptions(), TimeProvider.System).PutAllAsync(table.Name, neighbours, null, Ct);
        var before = await table.AllItemsAsync(Ct);
        Assert.DoesNotContain(before, IsMigrationBookkeeping);

        var up = await Cli.RunAsync(MigrateCommand.Create(), "migrate", "up", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);
        Assert.True(up.ExitCode == 0, up.Error);
        Assert.Contains($"changed {Users - Invalid:N0}", up.Output, StringComparison.Ordinal);
        Assert.NotEqual(ItemText.Sorted(before), ItemText.Sorted((await table.AllItemsAsync(Ct)).Where(i => !IsMigrationBookkeeping(i))));
        var down = await Cli.RunAsync(MigrateCommand.Create(), "migrate", "down", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);

        Assert.True(down.ExitCode == 0, down.Error);
        Assert.Contains($"changed {Users - Invalid:N0}", down.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", down.Output, StringComparison.Ordinal);
        var after = await table.AllItemsAsync(Ct);
        // The checkpoint and the failure records stay (status reads them); they are all that is new.
        Assert.Contains(after, IsMigrationBookkeeping);
        Assert.Equal(ItemText.Sorted(before), ItemText.Sorted(after.Where(i => !IsMigrationBookkeeping(i))));
        var status = await Cli.RunAsync(MigrateCommand.Create(), "migrate", "status", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);
        Assert.True(status.ExitCode == 0, status.Error);
        Assert.Contains($"{UserPhoneMigration.Id}: rolled back", status.Output, StringComparison.Ordinal);
        Assert.Contains($"users at v1: {Users:N0}, at v2: 0", status.Output, StringComparison.Ordinal);
    }

    private static bool IsMigrationBookkeeping(Dictionary<string, AttributeValue> item) =>
        item[Attr.PK].S.StartsWith("MIGRATION#", StringComparison.Ordinal);

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
    public async Task A_dry_run_says_how_many_users_it_examined_and_how_many_are_already_at_v2()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        // The small seed scenario's users are all v2, beside 200 v1 ones.
        await new DataSeeder(table.Admin, TimeProvider.System).SeedAsync(table.Name, new SeedRequest(SeedScenario.Small), null, Ct);
        await V1Users.WriteAsync(table.Admin, table.Name, 200, Ct);
        var seeded = ScenarioCounts.For(SeedScenario.Small).Users;

        var result = await Cli.RunAsync(MigrateCommand.Create(), "migrate", "up", "--dry-run", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"examined {seeded + 200:N0} user(s): {seeded:N0} already at v2, would change {200 - 10}, skipped 0 (changed meanwhile), could not migrate 10", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_on_a_table_already_at_v2_examines_every_user_and_says_they_are_already_at_v2()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await new DataSeeder(table.Admin, TimeProvider.System).SeedAsync(table.Name, new SeedRequest(SeedScenario.Small), null, Ct);
        var seeded = ScenarioCounts.For(SeedScenario.Small).Users;
        var before = ItemText.Sorted(await table.AllItemsAsync(Ct));

        var result = await Cli.RunAsync(MigrateCommand.Create(), "migrate", "up", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);
        var status = await Cli.RunAsync(MigrateCommand.Create(), "migrate", "status", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"examined {seeded:N0} user(s): {seeded:N0} already at v2, changed 0,", result.Output, StringComparison.Ordinal);
        Assert.Contains($"examined {seeded:N0} user(s): {seeded:N0} already at v2, changed 0,", status.Output, StringComparison.Ordinal);
        // Nothing but the migration's own checkpoint was written.
        Assert.Equal(before, ItemText.Sorted((await table.AllItemsAsync(Ct)).Where(i => !IsMigrationBookkeeping(i))));
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

    [Fact]
    public async Task Help_of_migrate_up_names_its_options_and_the_endpoint_it_needs()
    {
        var result = await Cli.RunAsync(MigrateCommand.Create(), "migrate", "up", "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var option in new[] { "--dry-run", "--rate", "--segments", "--endpoint", "--table" })
        {
            Assert.Contains(option, result.Output, StringComparison.Ordinal);
        }

        Assert.Contains("DYNAMODB_ENDPOINT", result.Output, StringComparison.Ordinal);
    }

    private static async Task<List<Dictionary<string, AttributeValue>>> UsersAsync(TestTable table) =>
        [.. (await table.AllItemsAsync(Ct)).Where(i => i["entityType"].S == "User")];

    [GeneratedRegex(@"^FAILED (?<pk>USER#[0-9a-f-]+) / PROFILE: .+$", RegexOptions.Multiline)]
    private static partial Regex FailedLine();
}
