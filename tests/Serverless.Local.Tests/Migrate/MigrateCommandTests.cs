using System.Text.RegularExpressions;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;
using Serverless.Data.Tools.Migrations;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Users;
using Serverless.Data.Writing;
using Serverless.Local.Migrate;
using Serverless.Local.Seed;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Migrate;

/// <summary>
/// The migrate command (up, down, status, --dry-run, --help) through the CLI, on the seed's v1 users (10,000 of them,
/// 5% with invalid phones) against DynamoDB Local. The migration itself: Serverless.Data.Tools.Tests.
/// </summary>
public sealed partial class MigrateCommandTests(DynamoDbLocalFixture fixture)
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
        var neighbours = DataSeeder.Items(new SeedRequest(SeedScenario.Small), await Sealing.ForTableAsync(table.Admin, table.Name, Ct)).Where(i => i[Attr.EntityType].S != EntityTypes.User).ToList();
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
