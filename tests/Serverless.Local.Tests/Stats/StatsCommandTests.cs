using System.Globalization;
using System.Text.RegularExpressions;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Tools.Statistics;
using Serverless.Local.Seed;
using Serverless.Local.Stats;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Stats;

public sealed partial class StatsCommandTests(DynamoDbLocalFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stats_on_a_seeded_table_prints_the_counts_the_scenario_promised()
    {
        await using var table = await TestTable.CreateAsync(fixture, Ct);
        await new DataSeeder(table.Client, TimeProvider.System).SeedAsync(table.Name, new SeedRequest(SeedScenario.Small), null, Ct);

        var result = await Cli.RunAsync(StatsCommand.Create(), "stats", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);

        Assert.True(result.ExitCode == 0, result.Error);
        var printed = EntityLine().Matches(result.Output).ToDictionary(
            m => m.Groups["type"].Value,
            m => long.Parse(m.Groups["items"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
        var promised = ScenarioCounts.For(SeedScenario.Small);
        // Beside the scenario's items, the table's keyring: its two versions (fields, blind indexes), made by the seed.
        Assert.Equal(promised.ByEntityType.Append(KeyValuePair.Create("KeyringVersion", 2L)).OrderBy(e => e.Key), printed.Where(e => e.Key != "total").OrderBy(e => e.Key));
        Assert.Equal(promised.Total + 2, printed["total"]);
        Assert.Contains("Stream: enabled, NEW_AND_OLD_IMAGES", result.Output, StringComparison.Ordinal);
        Assert.Contains("TTL: ENABLED on attribute 'ttl'", result.Output, StringComparison.Ordinal);
        foreach (var index in new[] { "EmailIndex", "CreatedDateIndex", "GSI1" })
        {
            Assert.Matches($@"\n  {index} +ACTIVE ", result.Output);
        }
    }

    [Fact]
    public async Task The_reader_sizes_each_entity_type_and_reports_the_table_set_up()
    {
        await using var table = await TestTable.CreateAsync(fixture, Ct);
        await new DataSeeder(table.Client, TimeProvider.System).SeedAsync(table.Name, new SeedRequest(SeedScenario.Edge), null, Ct);
        long scanned = 0;

        var stats = await new TableStatisticsReader(table.Client).ReadAsync(table.Name, n => scanned += n, Ct);

        Assert.Equal(
            ScenarioCounts.For(SeedScenario.Edge).ByEntityType.Append(KeyValuePair.Create("KeyringVersion", 2L)).OrderBy(e => e.Key),
            stats.Entities.Select(e => KeyValuePair.Create(e.EntityType, e.Items)));
        Assert.Equal(stats.ScannedItems, scanned);
        // The user at every limit makes User items far larger per item than email markers.
        var user = stats.Entities.Single(e => e.EntityType == "User");
        var marker = stats.Entities.Single(e => e.EntityType == "EmailMarker");
        Assert.True(user.Bytes / user.Items > 10 * (marker.Bytes / marker.Items));
        Assert.Equal("ACTIVE", stats.TableStatus);
        Assert.True(stats.StreamEnabled);
        Assert.Equal("ttl", stats.TtlAttribute);
        Assert.Equal(["CreatedDateIndex", "EmailIndex", "GSI1"], stats.Indexes.Select(i => i.Name));
    }

    [Fact]
    public async Task A_table_already_described_is_not_described_again()
    {
        // DynamoDB Local answers DescribeTable by summing every item's size, once for the table and once per index:
        // 13 minutes on the large scenario. stats' check that the table exists is the description it reports.
        await using var table = await TestTable.CreateAsync(fixture, Ct);
        await new DataSeeder(table.Client, TimeProvider.System).SeedAsync(table.Name, new SeedRequest(SeedScenario.Edge), null, Ct);
        var described = (await table.Client.DescribeTableAsync(table.Name, Ct)).Table;
        table.Requests.Clear();

        var stats = await new TableStatisticsReader(table.Client).ReadAsync(described, null, Ct);

        Assert.DoesNotContain("DescribeTable", table.Requests.Operations);
        Assert.Contains("Scan", table.Requests.Operations);
        Assert.Equal(table.Name, stats.TableName);
        Assert.Equal(ScenarioCounts.For(SeedScenario.Edge).Total + 2, stats.ScannedItems);
        Assert.Equal(["CreatedDateIndex", "EmailIndex", "GSI1"], stats.Indexes.Select(i => i.Name));
    }

    [Fact]
    public async Task Every_scan_page_asks_for_at_most_a_thousand_items()
    {
        // DynamoDB Local reads every remaining item of the table into its heap for a Scan without a Limit (then cuts
        // the page at 1 MB): the large scenario's 14.65 million items ran it out of memory.
        await using var table = await TestTable.CreateAsync(fixture, Ct);
        await new DataSeeder(table.Client, TimeProvider.System).SeedAsync(table.Name, new SeedRequest(SeedScenario.Small), null, Ct);
        using var client = new Amazon.DynamoDBv2.AmazonDynamoDBClient(Serverless.DynamoDbLocal.DynamoDbLocalServer.LocalCredentials, fixture.Server.CreateConfig());
        var limits = new List<int?>();
        client.BeforeRequestEvent += (_, e) =>
        {
            if (e is Amazon.Runtime.WebServiceRequestEventArgs { Request: Amazon.DynamoDBv2.Model.ScanRequest scan })
            {
                limits.Add(scan.Limit);
            }
        };

        var stats = await new TableStatisticsReader(client).ReadAsync(table.Name, null, Ct);

        Assert.Equal(ScenarioCounts.For(SeedScenario.Small).Total + 2, stats.ScannedItems);
        Assert.True(limits.Count >= 2, $"{limits.Count} scan pages");
        Assert.All(limits, l => Assert.Equal(Serverless.Data.Table.ScanPages.Limit, l));
    }

    [Fact]
    public async Task A_scan_split_into_segments_counts_every_item_once()
    {
        // DynamoDB Local steps from the start of the range it scans to a page's start: the count goes a segment at a time.
        await using var table = await TestTable.CreateAsync(fixture, Ct);
        await new DataSeeder(table.Client, TimeProvider.System).SeedAsync(table.Name, new SeedRequest(SeedScenario.Small), null, Ct);
        var segments = new HashSet<int>();
        using var client = new Amazon.DynamoDBv2.AmazonDynamoDBClient(Serverless.DynamoDbLocal.DynamoDbLocalServer.LocalCredentials, fixture.Server.CreateConfig());
        client.BeforeRequestEvent += (_, e) =>
        {
            if (e is Amazon.Runtime.WebServiceRequestEventArgs { Request: Amazon.DynamoDBv2.Model.ScanRequest { TotalSegments: 15, Segment: { } segment } })
            {
                segments.Add(segment);
            }
        };

        // 1,482 items at 100 a segment: 15 segments.
        var stats = await new TableStatisticsReader(client, itemsPerSegment: 100).ReadAsync(table.Name, null, Ct);

        Assert.Equal(Enumerable.Range(0, 15), segments.Order());
        var promised = ScenarioCounts.For(SeedScenario.Small);
        Assert.Equal(promised.Total + 2, stats.ScannedItems);
        Assert.Equal(
            promised.ByEntityType.Append(KeyValuePair.Create("KeyringVersion", 2L)).OrderBy(e => e.Key),
            stats.Entities.Select(e => KeyValuePair.Create(e.EntityType, e.Items)));
    }

    [Fact]
    public async Task Help_says_that_stats_scans_the_whole_table()
    {
        var result = await Cli.RunAsync(StatsCommand.Create(), "stats", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("SCANS THE WHOLE TABLE", result.Output, StringComparison.Ordinal);
        Assert.Contains("DYNAMODB_ENDPOINT", result.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^  (?<type>[A-Za-z()]+) +(?<items>[0-9,]+) +(?<bytes>[0-9,]+)$", RegexOptions.Multiline)]
    private static partial Regex EntityLine();
}
