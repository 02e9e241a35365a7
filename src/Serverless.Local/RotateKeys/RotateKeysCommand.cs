using System.CommandLine;
using System.Globalization;
using Serverless.Api.Infrastructure.Data;
using Serverless.Data.Privacy;
using Serverless.Data.Tools.Rotation;

namespace Serverless.Local.RotateKeys;

/// <summary><c>rotate-keys</c>: new keyring versions, every user and order moved to the active ones, old versions retired.</summary>
public static class RotateKeysCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would move (and the items per version now); write nothing: no key version, no item, no checkpoint." };
        var newFieldKey = new Option<bool>("--new-field-key") { Description = "First make a new field key version the active one (the previous one stays readable until retired)." };
        var newBlindKey = new Option<bool>("--new-blind-key") { Description = "First make a new blind-index key version the active one; lookups try both while the items move." };
        var retire = new Option<bool>("--retire") { Description = "After the run, retire every older version no item uses any more (what it sealed no longer opens)." };
        var rate = new Option<double>("--rate") { Description = "At most N users or orders rewritten per second across all segments (0: unlimited). Keep live traffic's capacity in mind on a real table.", DefaultValueFactory = _ => 0 };
        var segments = new Option<int>("--segments") { Description = "Parallel scan segments (1-1000). Where the endpoint ignores segments (DynamoDB Local) this is detected and 1 is used.", DefaultValueFactory = _ => 1 };
        var settle = new Option<double>("--settle")
        {
            Description = "Seconds to wait after adding a version before the first item moves, so every running API instance has read the new keyring (its cache age, 300 by default). 0 only where nothing else reads the table.",
            DefaultValueFactory = _ => new KeyringCacheOptions().MaxAge.TotalSeconds,
        };
        var kmsKeyId = new Option<string?>("--kms-key-id") { Description = "The KMS key that wraps the keyring (the stack's FieldKeyArn). Without it the local key file .local/keys/root.key is used, as seed and the local stack do." };
        var kmsEndpoint = new Option<string?>("--kms-endpoint") { Description = $"A KMS endpoint that is not AWS's (default: ${PrivacySettings.KmsEndpointVariable}); AWS's regional one otherwise." };
        var endpoint = TableTarget.EndpointOption();
        var table = TableTarget.TableOption();
        var command = new Command(
            "rotate-keys",
            "Rotates the keyring: optionally a new field and/or blind-index key version, then every user (its ciphertexts, email token, marker, "
            + "name-word and city items) and every order header (its copies of the user's email and name) rewritten under the active versions, "
            + "each in one write conditional on what was read, so a concurrent API write is never lost and nothing is rewritten twice. The scan "
            + "position is checkpointed in the table (MIGRATION#rotate-keys / RUN) after every page: a killed run resumes where it stopped. "
            + "The report gives the items per version before and after; a version no item uses can be retired (--retire). Needs a running DynamoDB "
            + "(--endpoint or DYNAMODB_ENDPOINT); it never starts one.")
        {
            dryRun, newFieldKey, newBlindKey, retire, rate, segments, settle, kmsKeyId, kmsEndpoint, endpoint, table,
        };
        command.SetAction(GuardedAction.Of("rotate-keys", async (parse, ct) =>
        {
            var options = new KeyRotationOptions
            {
                DryRun = parse.GetValue(dryRun),
                NewFieldKey = parse.GetValue(newFieldKey),
                NewBlindKey = parse.GetValue(newBlindKey),
                Retire = parse.GetValue(retire),
                RatePerSecond = parse.GetValue(rate),
                Segments = parse.GetValue(segments),
                Settle = parse.GetValue(settle) is var seconds and >= 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.MinValue,
            };
            options.Validate();
            using var target = TableTarget.Resolve(parse.GetValue(endpoint), parse.GetValue(table));
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            await target.RequireTableAsync(ct);

            var root = RootKey(parse.GetValue(kmsKeyId), parse.GetValue(kmsEndpoint));
            var rotation = new KeyRotation(target.Client, target.TableName, root, TimeProvider.System);
            await using var progress = new ProgressDisplay(error, "rotate-keys", total: 0, ProgressDisplay.IsTerminal(error));
            var report = await rotation.RunAsync(
                options,
                n => progress.Advance(n),
                async (added, _) => await error.WriteLineAsync(
                    $"added {string.Join(", ", added)}; waiting {options.Settle.TotalSeconds.ToString("N0", CultureInfo.InvariantCulture)} s before moving items (--settle)"),
                ct);
            await progress.CompleteAsync();
            await output.WriteAsync(FormatReport(report, target.TableName));
            return 0;
        }, GuardedAction.ResumableCancel));
        return command;
    }

    /// <summary>The KMS key when one is named, else the local key file (the one seed and the local stack use).</summary>
    private static IRootKey RootKey(string? kmsKeyId, string? kmsEndpoint)
    {
        if (string.IsNullOrWhiteSpace(kmsKeyId))
        {
            return FieldProtection.DefaultLocalRootKey();
        }

        var settings = new PrivacySettings { KmsKeyId = kmsKeyId.Trim(), KmsEndpoint = kmsEndpoint };
        if (settings.EffectiveKmsEndpoint is { Length: > 0 } url && !Uri.TryCreate(url.Trim(), UriKind.Absolute, out _))
        {
            throw new CommandException($"The KMS endpoint '{url}' is not an absolute URL.");
        }

        return new KmsRootKey(settings.CreateKmsClient(), settings.KmsKeyId);
    }

    /// <summary>Counts, versions and notices only: no item's content, so no PII.</summary>
    public static string FormatReport(KeyRotationReport report, string tableName)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new System.Text.StringBuilder();
        void Line(FormattableString line) => text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

        var mode = report.DryRun ? " (dry run: nothing written)" : report.Resumed ? " (resumed)" : "";
        Line($"rotate-keys on table {tableName}{mode}, {report.Segments} segment(s), to field {report.FieldVersion} / blind {report.BlindVersion}");
        if (report.Added.Count > 0)
        {
            Line($"{(report.DryRun ? "would add" : "added")}: {string.Join(", ", report.Added)}");
        }

        foreach (var notice in report.Notices)
        {
            Line($"note: {notice}");
        }

        var counts = report.Counts;
        var rewritten = report.DryRun ? "would rewrite" : "rewritten";
        Line($"users: scanned {counts.UsersScanned:N0}, {rewritten} {counts.UsersRewritten:N0}, already current {counts.UsersCurrent:N0}, skipped {counts.UsersSkipped:N0} (no key, or gone)");
        Line($"orders: scanned {counts.OrdersScanned:N0}, {rewritten} {counts.OrdersRewritten:N0}, already current {counts.OrdersCurrent:N0}, skipped {counts.OrdersSkipped:N0} (user erased, or gone)");
        if (!report.DryRun)
        {
            Line($"retried {counts.Retried:N0} (changed meanwhile), unfinished {counts.Unfinished:N0}");
        }

        Line($"items by version before: {Census(report.Before)}");
        if (report.After is { } after)
        {
            Line($"items by version after: {Census(after)}");
        }

        if (report.Retired.Count > 0)
        {
            Line($"retired: {string.Join(", ", report.Retired)}");
        }
        else if (report.Unused.Count > 0)
        {
            Line($"no item uses {string.Join(", ", report.Unused)} any more; run again with --retire to retire {(report.Unused.Count == 1 ? "it" : "them")}");
        }

        Line($"duration: {report.Duration.TotalSeconds:N1} s");
        return text.ToString();
    }

    private static string Census(VersionCensus census)
    {
        var parts = census.Field.OrderBy(p => p.Key).Select(p => FormattableString.Invariant($"field {p.Key}: {p.Value:N0}"))
            .Concat(census.Blind.OrderBy(p => p.Key).Select(p => FormattableString.Invariant($"blind {p.Key}: {p.Value:N0}")))
            .ToList();
        return parts.Count == 0 ? "none (nothing sealed)" : string.Join(", ", parts);
    }
}
