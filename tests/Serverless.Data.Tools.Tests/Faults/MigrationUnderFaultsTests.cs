using Serverless.Data;
using Serverless.Data.Client.Faults;
using Serverless.Data.Table;
using Serverless.Data.Tools.Migrations;
using Serverless.Testing;
using Xunit;

namespace Serverless.Data.Tools.Tests.Faults;

/// <summary>
/// <c>migrate up</c> (users-v2), and <c>migrate down</c> after it, with every DynamoDB call faulted (the SDK's own retries on, as the CLI has them), run
/// again after each failure as a user would (it resumes from its checkpoint) until a run completes: the table it
/// leaves must be the one a fault-free run leaves, no item lost, none written twice. docs/reliability.md holds the rows.
/// </summary>
public sealed class MigrationUnderFaultsTests(DynamoDbLocalFixture fixture)
{
    private const int Users = 150;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    [MemberData(nameof(FaultCases.All), MemberType = typeof(FaultCases))]
    public async Task Migrate_up_rerun_after_each_failure_leaves_what_a_fault_free_run_leaves(FaultClass fault)
    {
        await using var clean = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await using var faulted = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await V1Users.WriteAsync(clean.Admin, clean.Name, Users, Ct);
        await V1Users.WriteAsync(faulted.Admin, faulted.Name, Users, Ct);
        await new UserPhoneMigration(clean.Admin, clean.Name, _clock).UpAsync(new MigrationRunOptions(), null, Ct);

        var (client, counters) = ToolFaults.Faulted(fixture, fault, seed: 60);
        using (client)
        {
            var runs = await ToolFaults.RunUntilDoneAsync(() => new UserPhoneMigration(client, faulted.Name, _clock).UpAsync(new MigrationRunOptions(), null, Ct));
            var migration = Keys.MigrationPartition(UserPhoneMigration.Id);
            var (lost, duplicated) = ToolFaults.Compare(
                await ToolFaults.ItemsAsync(clean, i => i[Attr.PK].S != migration),
                await ToolFaults.ItemsAsync(faulted, i => i[Attr.PK].S != migration));
            ToolFaults.Report("migrate up", fault, Users, runs, lost, duplicated, counters);
            Assert.Equal((0, 0), (lost, duplicated));
            var (want, got) = (await new UserPhoneMigration(clean.Admin, clean.Name, _clock).StatusAsync(Ct), await new UserPhoneMigration(clean.Admin, faulted.Name, _clock).StatusAsync(Ct));
            Assert.Equal((want.UsersAtV1, want.UsersAtV2), (got.UsersAtV1, got.UsersAtV2));
            Assert.False(got.LastRun!.IsRunning);
        }
    }

    [Theory]
    [MemberData(nameof(FaultCases.All), MemberType = typeof(FaultCases))]
    public async Task Migrate_down_rerun_after_each_failure_leaves_what_a_fault_free_run_leaves(FaultClass fault)
    {
        await using var clean = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await using var faulted = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        // Both tables migrated up without faults, then rolled back: one without faults, one under them.
        foreach (var table in new[] { clean, faulted })
        {
            await V1Users.WriteAsync(table.Admin, table.Name, Users, Ct);
            await new UserPhoneMigration(table.Admin, table.Name, _clock).UpAsync(new MigrationRunOptions(), null, Ct);
        }

        await new UserPhoneMigration(clean.Admin, clean.Name, _clock).DownAsync(new MigrationRunOptions(), null, Ct);

        var (client, counters) = ToolFaults.Faulted(fixture, fault, seed: 70);
        using (client)
        {
            var runs = await ToolFaults.RunUntilDoneAsync(() => new UserPhoneMigration(client, faulted.Name, _clock).DownAsync(new MigrationRunOptions(), null, Ct));
            var migration = Keys.MigrationPartition(UserPhoneMigration.Id);
            var (lost, duplicated) = ToolFaults.Compare(
                await ToolFaults.ItemsAsync(clean, i => i[Attr.PK].S != migration),
                await ToolFaults.ItemsAsync(faulted, i => i[Attr.PK].S != migration));
            ToolFaults.Report("migrate down", fault, Users, runs, lost, duplicated, counters);
            Assert.Equal((0, 0), (lost, duplicated));
            var (want, got) = (await new UserPhoneMigration(clean.Admin, clean.Name, _clock).StatusAsync(Ct), await new UserPhoneMigration(clean.Admin, faulted.Name, _clock).StatusAsync(Ct));
            Assert.Equal((want.UsersAtV1, want.UsersAtV2), (got.UsersAtV1, got.UsersAtV2));
            Assert.True(got.UsersAtV1 > 0, "the rollback left no version 1 user");
            Assert.False(got.LastRun!.IsRunning);
        }
    }
}
