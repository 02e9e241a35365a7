using System.CommandLine;
using System.Globalization;
using Serverless.Api.Infrastructure.Data;
using Serverless.Data.Privacy;
using Serverless.Data.Tools.Migrations;

namespace Serverless.Local.Migrate;

/// <summary>
/// <c>migrate up|down|status [--migration id]</c>: the users v1 -> v2 migration (phone out of metadata, the default) or
/// the encryption of plaintext users (<c>--migration users-sealed</c>), and their rollbacks.
/// </summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command(
            "migrate",
            $"Schema migrations of the table, chosen with --migration (default {UserPhoneMigration.Id}). {UserPhoneMigration.Id}: {UserPhoneMigration.Description} "
            + $"{UserEncryptionMigration.Id}: {UserEncryptionMigration.Description} "
            + "Needs a running DynamoDB (--endpoint or DYNAMODB_ENDPOINT); it never starts one. Reads already read the old shapes; "
            + "this backfills the table itself.");
        command.Subcommands.Add(Run(MigrationDirection.Up,
            $"Backfill. {UserPhoneMigration.Id}: move every valid metadata.phone (E.164) into 'phone' and set schemaVersion 2. {UserEncryptionMigration.Id}: seal every plaintext user "
            + "(its key item made, its PII encrypted, its email marker, name-word and city items re-keyed by blind index, its orders' copies sealed), one transaction per user. "
            + "Each write is conditional on the item as read, the scan position is checkpointed in the table (MIGRATION#<id> / RUN) after every page, so a killed run resumes where it stopped "
            + "and writes nothing twice. Items it cannot migrate stay as they are and are listed with the reason."));
        command.Subcommands.Add(Run(MigrationDirection.Down,
            $"Rollback. {UserPhoneMigration.Id}: put 'phone' back into metadata.phone, remove the attribute and set schemaVersion 1, restoring the v1 items exactly. "
            + $"{UserEncryptionMigration.Id}: open every sealed user back to the plaintext items it had before 'up' (its schema version, keys and attributes) and delete its key item. "
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
        var migrationId = MigrationOption();
        var kmsKey = KmsKeyOption();
        var name = direction.ToName();
        var command = new Command(name, description) { migrationId, dryRun, rate, segments, endpoint, table, kmsKey };
        command.SetAction(GuardedAction.Of("migrate " + name, async (parse, ct) =>
        {
            var options = new MigrationRunOptions { DryRun = parse.GetValue(dryRun), RatePerSecond = parse.GetValue(rate), Segments = parse.GetValue(segments) };
            options.Validate();
            using var target = TableTarget.Resolve(parse.GetValue(endpoint), parse.GetValue(table));
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            await target.RequireTableAsync(ct);

            var migration = Select(parse.GetValue(migrationId) ?? UserPhoneMigration.Id, target, parse.GetValue(kmsKey));
            await using var progress = new ProgressDisplay(error, $"migrate {name}", total: 0, ProgressDisplay.IsTerminal(error));
            var report = await migration.Run(direction, options, n => progress.Advance(n), ct);
            await progress.CompleteAsync();
            await output.WriteAsync(FormatReport(report, target.TableName));
            return 0;
        }, GuardedAction.ResumableCancel));
        return command;
    }

    private static Command Status()
    {
        var endpoint = TableTarget.EndpointOption();
        var table = TableTarget.TableOption();
        var migrationId = MigrationOption();
        var kmsKey = KmsKeyOption();
        var command = new Command("status", "Where the migration stands: users in its old and new shape (a scan of the table), the last run's checkpoint and counts, recorded failures.")
        {
            migrationId,
            endpoint,
            table,
            kmsKey,
        };
        command.SetAction(GuardedAction.Of("migrate status", async (parse, ct) =>
        {
            using var target = TableTarget.Resolve(parse.GetValue(endpoint), parse.GetValue(table));
            await target.RequireTableAsync(ct);
            var status = await Select(parse.GetValue(migrationId) ?? UserPhoneMigration.Id, target, parse.GetValue(kmsKey)).Status(ct);
            await parse.InvocationConfiguration.Output.WriteAsync(FormatStatus(status));
            return 0;
        }));
        return command;
    }

    private static Option<string> MigrationOption() => new("--migration")
    {
        Description = $"Which migration: {UserPhoneMigration.Id} (phone out of metadata) or {UserEncryptionMigration.Id} (plaintext users sealed).",
        DefaultValueFactory = _ => UserPhoneMigration.Id,
    };

    private static Option<string?> KmsKeyOption() => new("--kms-key-id")
    {
        Description = $"{UserEncryptionMigration.Id} only: the KMS key that wraps the table's keyring (default: $Privacy__KmsKeyId; its endpoint from ${PrivacySettings.KmsEndpointVariable}). "
            + $"Without one, the local key file {LocalRootKey.DefaultPath} (the local stack's).",
    };

    /// <summary>A migration's runs and status, whichever it is.</summary>
    private sealed record Selected(
        Func<MigrationDirection, MigrationRunOptions, Action<long>, CancellationToken, Task<MigrationReport>> Run,
        Func<CancellationToken, Task<MigrationStatus>> Status);

    private static Selected Select(string id, TableTarget target, string? kmsKeyId)
    {
        switch (id)
        {
            case UserPhoneMigration.Id:
                var phone = new UserPhoneMigration(target.Client, target.TableName, TimeProvider.System);
                return new((d, o, p, ct) => d == MigrationDirection.Up ? phone.UpAsync(o, p, ct) : phone.DownAsync(o, p, ct), phone.StatusAsync);
            case UserEncryptionMigration.Id:
                var sealing = new UserEncryptionMigration(target.Client, target.TableName, RootKey(kmsKeyId), TimeProvider.System);
                return new((d, o, p, ct) => d == MigrationDirection.Up ? sealing.UpAsync(o, p, ct) : sealing.DownAsync(o, p, ct), sealing.StatusAsync);
            default:
                throw new CommandException($"Unknown migration '{id}': use {UserPhoneMigration.Id} or {UserEncryptionMigration.Id}.");
        }
    }

    private static IRootKey RootKey(string? kmsKeyId)
    {
        var settings = new PrivacySettings
        {
            KmsKeyId = string.IsNullOrWhiteSpace(kmsKeyId) ? Environment.GetEnvironmentVariable("Privacy__KmsKeyId") : kmsKeyId,
            KmsEndpoint = Environment.GetEnvironmentVariable("Privacy__KmsEndpoint"),
        };
        return settings.UsesKms ? new KmsRootKey(settings.CreateKmsClient(), settings.KmsKeyId!) : FieldProtection.DefaultLocalRootKey();
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
        Line($"examined {report.Counts.Examined:N0} user(s): {report.Counts.AlreadyDone:N0} already {Target(report.MigrationId, report.Direction)}, {changed} {report.Counts.Changed:N0}, skipped {report.Counts.Skipped:N0} (changed meanwhile), could not migrate {report.Counts.Failed:N0}");
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

    /// <summary>How a report names the shape a direction moves users to.</summary>
    private static string Target(string migrationId, MigrationDirection direction) => (migrationId, direction) switch
    {
        (UserEncryptionMigration.Id, MigrationDirection.Up) => "sealed",
        (UserEncryptionMigration.Id, _) => "plaintext",
        (_, MigrationDirection.Up) => $"at v{PhoneShapes.V2}",
        _ => $"at v{PhoneShapes.V1}",
    };

    public static string FormatStatus(MigrationStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var text = new System.Text.StringBuilder();
        void Line(FormattableString line) => text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Line($"{status.MigrationId}: {status.State}");
        Line($"  {status.Description}");
        Line($"  users {Shape(status.OldShape)}: {status.UsersAtV1:N0}, {Shape(status.NewShape)}: {status.UsersAtV2:N0}");
        if (status.LastRun is not { } run)
        {
            Line($"  last run: never");
            return text.ToString();
        }

        var done = run.Segments.Count(s => s.Done);
        Line($"  last run: {run.Direction.ToName()}, {run.State}, started {run.StartedAt:u}, updated {run.UpdatedAt:u}{(run.CompletedAt is { } at ? $", completed {at:u}" : "")}");
        Line($"  checkpoint: {done}/{run.Segments.Count} segment(s) done; examined {run.Counts.Examined:N0} user(s): {run.Counts.AlreadyDone:N0} already {Target(status.MigrationId, run.Direction)}, changed {run.Counts.Changed:N0}, skipped {run.Counts.Skipped:N0}, could not migrate {run.Counts.Failed:N0}");
        Line($"  recorded failures: {status.RecordedFailures:N0}");
        return text.ToString();
    }

    // "users at v1: 3, at v2: 5" for a version, "users plaintext: 3, sealed: 5" for a shape.
    private static string Shape(string shape) => shape.StartsWith('v') ? "at " + shape : shape;
}
