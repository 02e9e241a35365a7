using System.CommandLine;
using System.Globalization;
using Serverless.Data.Tools.Migrations;

namespace Serverless.Local.Migrate;

/// <summary><c>migrate up|down|status</c>: the users v1 -> v2 migration (phone out of metadata) and its rollback.</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command(
            "migrate",
            $"Schema migrations of the table. {UserPhoneMigration.Id}: {UserPhoneMigration.Description} "
            + "Needs a running DynamoDB (--endpoint or DYNAMODB_ENDPOINT); it never starts one. Reads already upgrade v1 users lazily; "
            + "this backfills the table itself.");
        command.Subcommands.Add(Run(MigrationDirection.Up,
            "Backfill: move every valid metadata.phone (E.164) into 'phone' and set schemaVersion 2. Each write is conditional on the item still being v1, "
            + "the scan position is checkpointed in the table (MIGRATION#users-v2 / RUN) after every page, so a killed run resumes where it stopped "
            + "and writes nothing twice. Items it cannot migrate stay v1 and are listed with the reason."));
        command.Subcommands.Add(Run(MigrationDirection.Down,
            "Rollback: put 'phone' back into metadata.phone, remove the attribute and set schemaVersion 1, restoring the v1 items exactly. "
            + "Checkpointed and resumable like 'up'."));
        command.Subcommands.Add(Status());
        return command;
    }

    private static Command Run(MigrationDirection direction, string description)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would change and list what could not; write nothing (no items, no checkpoint)." };
        var rate = new Option<double>("--rate") { Description = "At most N item writes per second across all segments (0: unlimited). Keep live traffic's capacity in mind on a real table.", DefaultValueFactory = _ => 0 };
        var segments = new Option<int>("--segments") { Description = "Parallel scan segments (1-1000). Where the endpoint ignores segments (DynamoDB Local) this is detected and 1 is used.", DefaultValueFactory = _ => 1 };
        var endpoint = TableTarget.EndpointOption();
        var table = TableTarget.TableOption();
        var name = direction.ToName();
        var command = new Command(name, description) { dryRun, rate, segments, endpoint, table };
        command.SetAction(GuardedAction.Of("migrate " + name, async (parse, ct) =>
        {
            var options = new MigrationRunOptions { DryRun = parse.GetValue(dryRun), RatePerSecond = parse.GetValue(rate), Segments = parse.GetValue(segments) };
            options.Validate();
            using var target = TableTarget.Resolve(parse.GetValue(endpoint), parse.GetValue(table));
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            await target.RequireTableAsync(ct);

            var migration = new UserPhoneMigration(target.Client, target.TableName, TimeProvider.System);
            await using var progress = new ProgressDisplay(error, $"migrate {name}", total: 0, ProgressDisplay.IsTerminal(error));
            var report = direction == MigrationDirection.Up
                ? await migration.UpAsync(options, n => progress.Advance(n), ct)
                : await migration.DownAsync(options, n => progress.Advance(n), ct);
            await progress.CompleteAsync();
            await output.WriteAsync(FormatReport(report, target.TableName));
            return 0;
        }));
        return command;
    }

    private static Command Status()
    {
        var endpoint = TableTarget.EndpointOption();
        var table = TableTarget.TableOption();
        var command = new Command("status", "Where each migration stands: users at v1 and v2 (a scan of the table), the last run's checkpoint and counts, recorded failures.")
        {
            endpoint,
            table,
        };
        command.SetAction(GuardedAction.Of("migrate status", async (parse, ct) =>
        {
            using var target = TableTarget.Resolve(parse.GetValue(endpoint), parse.GetValue(table));
            await target.RequireTableAsync(ct);
            var status = await new UserPhoneMigration(target.Client, target.TableName, TimeProvider.System).StatusAsync(ct);
            await parse.InvocationConfiguration.Output.WriteAsync(FormatStatus(status));
            return 0;
        }));
        return command;
    }

    public static string FormatReport(MigrationReport report, string tableName)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new System.Text.StringBuilder();
        void Line(FormattableString line) => text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

        var mode = report.DryRun ? " (dry run: nothing written)" : report.Resumed ? " (resumed)" : "";
        Line($"migrate {report.Direction.ToName()} {report.MigrationId} on table {tableName}{mode}, {report.Segments} segment(s)");
        foreach (var notice in report.Notices)
        {
            Line($"note: {notice}");
        }

        var changed = report.DryRun ? "would change" : "changed";
        Line($"examined {report.Counts.Examined:N0} user(s): {report.Counts.AlreadyDone:N0} already at v{TargetVersion(report.Direction)}, {changed} {report.Counts.Changed:N0}, skipped {report.Counts.Skipped:N0} (changed meanwhile), could not migrate {report.Counts.Failed:N0}");
        foreach (var failure in report.Failures.OrderBy(f => f.Key.PK, StringComparer.Ordinal))
        {
            Line($"FAILED {failure.Key}: {failure.Reason}");
        }

        if (report.Failures.Count > 0)
        {
            Line($"{report.Failures.Count:N0} item(s) could not be migrated and were left unchanged; fix them and run again.");
        }

        return text.ToString();
    }

    private static int TargetVersion(MigrationDirection direction) => direction == MigrationDirection.Up ? PhoneShapes.V2 : PhoneShapes.V1;

    public static string FormatStatus(MigrationStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var text = new System.Text.StringBuilder();
        void Line(FormattableString line) => text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Line($"{status.MigrationId}: {status.State}");
        Line($"  {status.Description}");
        Line($"  users at v1: {status.UsersAtV1:N0}, at v2: {status.UsersAtV2:N0}");
        if (status.LastRun is not { } run)
        {
            Line($"  last run: never");
            return text.ToString();
        }

        var done = run.Segments.Count(s => s.Done);
        Line($"  last run: {run.Direction.ToName()}, {run.State}, started {run.StartedAt:u}, updated {run.UpdatedAt:u}{(run.CompletedAt is { } at ? $", completed {at:u}" : "")}");
        Line($"  checkpoint: {done}/{run.Segments.Count} segment(s) done; examined {run.Counts.Examined:N0} user(s): {run.Counts.AlreadyDone:N0} already at v{TargetVersion(run.Direction)}, changed {run.Counts.Changed:N0}, skipped {run.Counts.Skipped:N0}, could not migrate {run.Counts.Failed:N0}");
        Line($"  recorded failures: {status.RecordedFailures:N0}");
        return text.ToString();
    }
}
