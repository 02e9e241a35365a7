using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Serverless.Local.Ttl;

/// <summary>
/// <c>sweep [--as-of WHEN]</c>: the TTL sweeper of <c>serve</c>, run once, with the purge cascade of every expired
/// soft-deleted user (<see cref="UserCascade"/>) and the deletions counted by entity type.
/// </summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var asOf = new Option<DateTimeOffset?>("--as-of")
        {
            Description = "Sweep as if it were this instant: an ISO-8601 date or time (2026-05-01, 2026-05-01T12:00:00Z; UTC unless it says otherwise) "
                + "or +DURATION from now (+31d, +12h). Default: now. Lets you see what a soft-deleted user's retention ending does without waiting for it.",
            CustomParser = ParseAsOf,
        };
        var endpoint = TableTarget.EndpointOption();
        var table = TableTarget.TableOption();
        var command = new Command(
            "sweep",
            "Run the TTL sweeper once: delete every item whose 'ttl' (epoch seconds) has passed by --as-of, as DynamoDB's TTL would at that time "
            + "(DynamoDB and the DynamoDB Local 'serve' starts expire items themselves, by the real clock; --as-of lets you look ahead), "
            + "and print how many items of each entity type were deleted. Each delete is conditional on the ttl it saw, so a write that extended the "
            + "item's life meanwhile wins. A soft-deleted user whose retention ended takes its orders, order items, role links, index items, comments "
            + "on it and email marker with it: the sweep runs the purge cascade itself, through the same code as the purge function, because its "
            + "deletes are ordinary DeleteItem calls that no stream consumer (the local stack's or AWS's) can take for TTL deletions, so the purge "
            + "function would never cascade them. The user item goes last, so a sweep stopped midway is finished by the next. Needs a running DynamoDB "
            + "(--endpoint or DYNAMODB_ENDPOINT); it never starts one, because a fresh in-memory table has nothing to expire. On AWS, DynamoDB's own "
            + "TTL and the purge function do this job.")
        {
            asOf,
            endpoint,
            table,
        };
        command.SetAction(GuardedAction.Of("sweep", async (parse, ct) =>
        {
            using var target = TableTarget.Resolve(parse.GetValue(endpoint), parse.GetValue(table));
            await target.RequireTableAsync(ct);
            var instant = parse.GetValue(asOf) ?? DateTimeOffset.UtcNow;

            // The log lets serve's emulator mark the sweeper's REMOVE records as TTL deletions; no emulator runs in this process.
            var clock = new FixedClock(instant);
            var cascade = new UserCascade(target.Client, clock);
            var sweeper = new TtlSweeper(target.Client, new TtlSweeperOptions { TableNames = [target.TableName] }, new TtlDeletionLog(), clock, cascade: cascade.DeleteAsync);
            var result = await sweeper.SweepOnceByEntityTypeAsync(ct);
            await parse.InvocationConfiguration.Output.WriteAsync(Format(result, target.TableName, target.Endpoint, instant));
            return 0;
        }));
        return command;
    }

    /// <summary>The report as printed: one line per entity type that lost items ("  User  1"), then the total.</summary>
    public static string Format(TtlSweepResult result, string tableName, Uri endpoint, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new System.Text.StringBuilder();
        void Line(FormattableString line) => text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Line($"Swept table {tableName} at {endpoint} as of {asOf.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}: items whose ttl had passed, by entity type:");
        Line($"  {"entityType",-18} {"deleted",10}");
        foreach (var (type, count) in result.DeletedByEntityType)
        {
            Line($"  {type,-18} {count,10:N0}");
        }

        Line($"  {"total",-18} {result.Deleted,10:N0}");
        return text.ToString();
    }

    private static DateTimeOffset? ParseAsOf(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
        if (text.StartsWith('+') && Durations.TryParse(text[1..], out var ahead))
        {
            return DateTimeOffset.UtcNow + ahead;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant;
        }

        result.AddError($"--as-of '{text}' is neither an ISO-8601 date or time (2026-05-01, 2026-05-01T12:00:00Z) nor +DURATION from now (+31d, +12h).");
        return null;
    }

    /// <summary>"Now" as the operator chose it: the sweeper compares every ttl with this instant.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
