using System.Globalization;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Mapping;
using Serverless.Data.Seeding;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.DynamoDbLocal;
using Serverless.Local.Seed;
using Serverless.Local.Tests.Seeding;
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
    public async Task Sweep_as_of_after_the_purge_time_deletes_the_soft_deleted_users_expired_items_and_nothing_else()
    {
        await using var table = await TestTable.CreateAsync(fixture, Ct);
        var seed = new SeedRequest(SeedScenario.Small);
        await new DataSeeder(table.Admin, TimeProvider.System).SeedAsync(table.Name, seed, null, Ct);
        var seeded = UserMapper.FromItem(DataSeeder.Items(seed).First(i => i[Attr.EntityType].S == EntityTypes.User));
        var deleted = await new UserRepository(table.Admin, table.Options(), TimeProvider.System).DeleteAsync(seeded.Id, seeded.Version, "test:deleter", Ct);
        var before = await table.AllItemsAsync(Ct);
        var expiring = before.Where(i => i.ContainsKey(Attr.Ttl)).ToList();
        Assert.Equal([Keys.EmailMarker(EmailAddress.Normalize(seeded.Email)).ToString(), Keys.User(seeded.Id).ToString()], KeysOf(expiring));

        // Now, the retention has not ended: nothing goes.
        var early = await Cli.RunAsync(SweepCommand.Create(), "sweep", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);
        Assert.True(early.ExitCode == 0, early.Error);
        Assert.Equal(new Dictionary<string, long> { ["total"] = 0 }, Counts(early.Output));
        Assert.Equal(ItemText.Sorted(before), ItemText.Sorted(await table.AllItemsAsync(Ct)));

        var asOf = deleted.PurgeAfter!.Value.AddSeconds(1).ToString("O", CultureInfo.InvariantCulture);
        var result = await Cli.RunAsync(SweepCommand.Create(), "sweep", "--as-of", asOf, "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(
            new Dictionary<string, long> { [EntityTypes.EmailMarker] = 1, [EntityTypes.User] = 1, ["total"] = 2 },
            Counts(result.Output));
        var after = await table.AllItemsAsync(Ct);
        Assert.Equal(ItemText.Sorted(before.Except(expiring)), ItemText.Sorted(after));
        // The orders stay: the purge cascade follows TTL stream records, which an ordinary delete is not.
        Assert.Equal(2, after.Count(i => i[Attr.EntityType].S == EntityTypes.Order && i[Attr.UserId].S == seeded.Id.ToString("D")));
    }

    [Fact]
    public async Task Help_says_sweep_needs_a_running_dynamodb_and_does_not_cascade()
    {
        var result = await Cli.RunAsync(SweepCommand.Create(), "sweep", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--as-of", result.Output, StringComparison.Ordinal);
        Assert.Contains("DYNAMODB_ENDPOINT", result.Output, StringComparison.Ordinal);
        Assert.Contains("never starts one", result.Output, StringComparison.Ordinal);
        Assert.Contains("purge cascade", result.Output, StringComparison.Ordinal);
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
