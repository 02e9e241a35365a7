using System.CommandLine;
using System.Globalization;
using Serverless.Data.Tools.Statistics;

namespace Serverless.Local.Stats;

/// <summary><c>stats</c>: the seed's health check (table statistics) for the single table.</summary>
public static class StatsCommand
{
    /// <summary>How long one of stats' requests may take.</summary>
    internal static readonly TimeSpan StatsRequestTimeout = TimeSpan.FromMinutes(30);

    public static Command Create()
    {
        var endpoint = TableTarget.EndpointOption();
        var table = TableTarget.TableOption();
        var command = new Command(
            "stats",
            "The seed's health check: item count and size per entity type, DynamoDB's own item count and size, table and "
            + "index status, stream status and view type, TTL status. Counting per entity type SCANS THE WHOLE TABLE "
            + "(one read of every item): fine for an admin command, never for a request path. Needs a running DynamoDB "
            + "(--endpoint or DYNAMODB_ENDPOINT); it never starts one.")
        {
            endpoint,
            table,
        };
        command.SetAction(GuardedAction.Of("stats", async (parse, ct) =>
        {
            // DynamoDB Local counts the table and each index to answer DescribeTable: minutes at millions of items (the
            // large scenario's 14.65 million items took longer than the other commands' 30 s a request, four times over).
            using var target = TableTarget.Resolve(parse.GetValue(endpoint), parse.GetValue(table), StatsRequestTimeout);
            var error = parse.InvocationConfiguration.Error;
            // Described once: the check that the table exists is also the set-up the report prints.
            var described = await target.RequireTableAsync(ct);
            await using var progress = new ProgressDisplay(error, "scan", total: 0, ProgressDisplay.IsTerminal(error));
            var stats = await new TableStatisticsReader(target.Client).ReadAsync(described, n => progress.Advance(n), ct);
            await progress.CompleteAsync();
            await parse.InvocationConfiguration.Output.WriteAsync(Format(stats, target.Endpoint));
            return 0;
        }));
        return command;
    }

    /// <summary>The report as printed: one line per entity type ("  User  10,000  3,456,789 B"), then the table's set-up.</summary>
    public static string Format(TableStatistics stats, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var text = new System.Text.StringBuilder();
        void Line(FormattableString line) => text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Line($"Table {stats.TableName} at {endpoint}: {stats.TableStatus}");
        Line($"Items by entity type (full scan):");
        Line($"  {"entityType",-18} {"items",14} {"bytes",16}");
        foreach (var entity in stats.Entities)
        {
            Line($"  {entity.EntityType,-18} {entity.Items,14:N0} {entity.Bytes,16:N0}");
        }

        Line($"  {"total",-18} {stats.ScannedItems,14:N0} {stats.ScannedBytes,16:N0}");
        Line($"DescribeTable: {stats.DescribedItemCount:N0} items, {stats.DescribedSizeBytes:N0} bytes (DynamoDB refreshes these about every six hours).");
        Line($"Indexes:");
        foreach (var index in stats.Indexes)
        {
            Line($"  {index.Name,-18} {index.Status,-10} {index.DescribedItemCount,14:N0} items {index.DescribedSizeBytes,16:N0} bytes");
        }

        Line($"Stream: {(stats.StreamEnabled ? "enabled, " + stats.StreamViewType : "disabled")}{(stats.LatestStreamArn is { } arn ? " (" + arn + ")" : "")}");
        Line($"TTL: {stats.TtlStatus}{(stats.TtlAttribute is { } attribute ? " on attribute '" + attribute + "'" : "")}");
        return text.ToString();
    }
}
