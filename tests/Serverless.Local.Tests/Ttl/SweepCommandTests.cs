using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Table;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.DynamoDbLocal;
using Serverless.Local.Seed;
using Serverless.Local.Tests.Support;
using Serverless.Local.Ttl;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Ttl;

/// <summary><c>sweep</c> through the CLI, on a seeded table with one soft-deleted user.</summary>
public sealed partial class SweepCommandTests(DynamoDbLocalFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sweep_after_a_users_retention_ended_deletes_the_user_with_everything_that_hangs_off_it_and_nothing_else()
    {
        await using var table = await TestTable.CreateAsync(fixture, Ct);
        var seed = new SeedRequest(SeedScenario.Small);
        await new DataSeeder(table.Admin, TimeProvider.System).SeedAsync(table.Name, seed, null, Ct);
        var sealer = Sealing.Ephemeral();
        var users = DataSeeder.Items(seed, sealer).Where(i => i[Attr.EntityType].S == EntityTypes.User).Select(i => UserMapper.FromItem(Sealing.Open(i, sealer))).ToList();
        var (expired, retained) = (users[0], users[1]);
        var now = DateTimeOffset.UtcNow;
        var gone = await new UserRepository(new TableAccess(table.Admin, table.Options(), new ManualTimeProvider(now))).DeleteAsync(expired.Id, expired.Version, "test:deleter", Ct);
        // Soft-deleted ten days later: its retention is still running at the sweep's --as-of.
        var kept = await new UserRepository(new TableAccess(table.Admin, table.Options(), new ManualTimeProvider(now.AddDays(10)))).DeleteAsync(retained.Id, retained.Version, "test:deleter", Ct);
        var before = await table.AllItemsAsync(Ct);
        var cascade = ItemsOf(before, expired);
        Assert.Contains(cascade, i => i[Attr.EntityType].S == EntityTypes.Order);
        Assert.Contains(cascade, i => i[Attr.EntityType].S == EntityTypes.OrderItem);
        Assert.Contains(cascade, i => i[Attr.EntityType].S == EntityTypes.UserRole);
        Assert.Contains(cascade, i => i[Attr.EntityType].S == EntityTypes.EmailMarker);
        Assert.Contains(cascade, i => i[Attr.EntityType].S == EntityTypes.User);

        // Now, no retention has ended: nothing goes.
        var early = await Cli.RunAsync(SweepCommand.Create(), "sweep", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);
        Assert.True(early.ExitCode == 0, early.Error);
        Assert.Equal(new Dictionary<string, long> { ["total"] = 0 }, Counts(early.Output));
        Assert.Equal(ItemText.Sorted(before), ItemText.Sorted(await table.AllItemsAsync(Ct)));

        var asOf = gone.PurgeAfter!.Value.AddDays(1);
        Assert.True(asOf < kept.PurgeAfter);
        var result = await Cli.RunAsync(SweepCommand.Create(), "sweep", "--as-of", asOf.ToString("O", CultureInfo.InvariantCulture), "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);

        Assert.True(result.ExitCode == 0, result.Error);
        var expected = cascade.GroupBy(i => i[Attr.EntityType].S).ToDictionary(g => g.Key, g => (long)g.Count());
        expected["total"] = cascade.Count;
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), Counts(result.Output).OrderBy(e => e.Key, StringComparer.Ordinal));
        // Every other item is as it was: the other users (active, or soft-deleted with retention left) and all they own.
        var cascadeKeys = KeysOf(cascade).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(ItemText.Sorted(before.Where(i => !cascadeKeys.Contains(KeyOf(i)))), ItemText.Sorted(await table.AllItemsAsync(Ct)));
        Assert.Contains(ItemsOf(before, retained), i => i[Attr.EntityType].S == EntityTypes.Order);

        // A second sweep finds nothing more to do.
        var again = await Cli.RunAsync(SweepCommand.Create(), "sweep", "--as-of", asOf.ToString("O", CultureInfo.InvariantCulture), "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);
        Assert.Equal(new Dictionary<string, long> { ["total"] = 0 }, Counts(again.Output));
    }

    /// <summary>What the seed's ON DELETE CASCADE takes with a user: its partition, its orders with their lines, its email marker.</summary>
    private static List<Dictionary<string, AttributeValue>> ItemsOf(List<Dictionary<string, AttributeValue>> items, User user)
    {
        var orderPartitions = items
            .Where(i => i[Attr.EntityType].S == EntityTypes.Order && i[Attr.UserId].S == user.Id.ToString("D"))
            .Select(i => i[Attr.PK].S)
            .ToHashSet(StringComparer.Ordinal);
        // The marker's key is the email's blind index; the marker names its user.
        return [.. items.Where(i => i[Attr.PK].S == Keys.UserPartition(user.Id) || orderPartitions.Contains(i[Attr.PK].S)
            || (i[Attr.EntityType].S == EntityTypes.EmailMarker && i[Attr.UserId].S == user.Id.ToString("D")))];
    }

    private static string KeyOf(Dictionary<string, AttributeValue> item) => new ItemKey(item[Attr.PK].S, item[Attr.SK].S).ToString();

    [Fact]
    public async Task Help_says_sweep_needs_a_running_dynamodb_and_runs_the_purge_cascade_itself()
    {
        var result = await Cli.RunAsync(SweepCommand.Create(), "sweep", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--as-of", result.Output, StringComparison.Ordinal);
        Assert.Contains("DYNAMODB_ENDPOINT", result.Output, StringComparison.Ordinal);
        Assert.Contains("never starts one", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"runs the\s+purge\s+cascade\s+itself", result.Output);
        Assert.DoesNotContain("does not follow", result.Output, StringComparison.Ordinal);
    }

    private static List<string> KeysOf(IEnumerable<Dictionary<string, AttributeValue>> items) =>
        [.. items.Select(i => new ItemKey(i[Attr.PK].S, i[Attr.SK].S).ToString()).Order(StringComparer.Ordinal)];

    internal static Dictionary<string, long> Counts(string output) => CountLine().Matches(output).ToDictionary(
        m => m.Groups["type"].Value,
        m => long.Parse(m.Groups["count"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^  (?<type>\S+) +(?<count>[0-9,]+)$", RegexOptions.Multiline)]
    private static partial Regex CountLine();
}

/// <summary>Changes DYNAMODB_ENDPOINT, which is process-wide: runs in the assembly's non-parallel collection.</summary>
[Collection(typeof(Serverless.Local.Tests.DynamoDbLocal.EnvironmentChangingTests))]
public sealed class SweepEndpointTests(DynamoDbLocalFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_an_endpoint_option_sweep_sweeps_the_table_at_DYNAMODB_ENDPOINT_as_of_a_duration_ahead()
    {
        await using var table = await TestTable.CreateAsync(fixture, Ct);
        var expired = new Dictionary<string, AttributeValue>
        {
            [Attr.PK] = new() { S = "SWEEP#1" },
            [Attr.SK] = new() { S = "EXPIRED" },
            [Attr.EntityType] = new() { S = "Probe" },
            // Passed only for the sweep's --as-of: DynamoDB Local would expire an item already past by the real clock itself.
            [Attr.Ttl] = new() { N = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
        };
        await table.Admin.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = expired }, Ct);
        using var endpoint = new EnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, fixture.ServiceUrl.ToString());

        var result = await Cli.RunAsync(SweepCommand.Create(), "sweep", "--as-of", "+2h", "--table", table.Name);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(new Dictionary<string, long> { ["Probe"] = 1, ["total"] = 1 }, SweepCommandTests.Counts(result.Output));
        Assert.Empty(await table.AllItemsAsync(Ct));
    }

    [Fact]
    public async Task Without_any_endpoint_sweep_says_in_one_line_that_it_needs_DYNAMODB_ENDPOINT()
    {
        using var endpoint = new EnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, null);

        var result = await Cli.RunAsync(SweepCommand.Create(), "sweep");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: sweep: ", line, StringComparison.Ordinal);
        Assert.Contains("DYNAMODB_ENDPOINT", line, StringComparison.Ordinal);
    }
}
