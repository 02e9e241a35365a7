using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Serverless.Data;
using Serverless.Data.Comments;
using Serverless.Data.Orders;
using Serverless.Data.Paging;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Table;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Users;
using Serverless.Data.Writing;
using Serverless.Domain.Comments;
using Serverless.DynamoDbLocal;
using Serverless.Local.Seed;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Seeding;

public sealed class SeedCommandTests(DynamoDbLocalFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Seeding_medium_writes_exactly_the_promised_count_of_every_entity_type()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);

        var result = await Cli.RunAsync(SeedCommand.Create(), "seed", "--scenario", "medium", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);

        Assert.True(result.ExitCode == 0, result.Error);
        var stored = EntityCounts.Of(await table.AllItemsAsync(Ct));
        Assert.Equal(ScenarioCounts.For(SeedScenario.Medium), stored);
        Assert.Equal(10_000, stored.Users);
        // The seed's 136,510 items, and each user's own key.
        Assert.Equal(10_000, stored.UserKeys);
        Assert.Contains("146,510", result.Output, StringComparison.Ordinal);
        // Redirected output (not a terminal): plain progress lines, never carriage returns.
        Assert.DoesNotContain('\r', result.Error);
        Assert.Contains("seed: 146,510/146,510 items (100%)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_seed_stopped_midway_says_to_run_it_again_and_the_same_command_then_completes_it_exactly()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        string[] command = ["seed", "--scenario", "small", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        // Stopped as Ctrl+C stops it, as soon as its first progress line says some items are written.
        var stopped = await Cli.RunRootAsync(new StopAtFirstLine(stop), stop.Token, command);

        Assert.Equal(CommandLine.Failure, stopped.ExitCode);
        Assert.Equal("error: seed: " + GuardedAction.ResumableCancel, stopped.Error.Trim().Split('\n')[^1]);
        Assert.True((await table.AllItemsAsync(Ct)).Count < ScenarioCounts.For(SeedScenario.Small).Total, "stopped before it finished");

        var again = await Cli.RunRootAsync(command);

        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Equal(ScenarioCounts.For(SeedScenario.Small), EntityCounts.Of(await table.AllItemsAsync(Ct)));
    }

    [Fact]
    public async Task The_same_seed_stores_identical_items_in_two_tables()
    {
        await using var first = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await using var second = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        var request = new SeedRequest(SeedScenario.Small, Seed: 1234);

        await new DataSeeder(first.Client, TimeProvider.System).SeedAsync(first.Name, request, null, Ct);
        await new DataSeeder(second.Client, TimeProvider.System).SeedAsync(second.Name, request with { Parallelism = 1 }, null, Ct);

        // Each table has its own keys, so the users' PII and lookup keys differ byte for byte; everything else is equal,
        // and so is every user and order as the repositories read it.
        var a = await first.AllItemsAsync(Ct);
        var b = await second.AllItemsAsync(Ct);
        Assert.Equal(ScenarioCounts.For(SeedScenario.Small).Total, a.Count);
        Assert.Equal(ItemText.Sorted(WithoutPii(a)), ItemText.Sorted(WithoutPii(b)));
        Assert.Equal(EntityCounts.Of(a), EntityCounts.Of(b));
        var usersA = new UserRepository(new TableAccess(first.Client, first.Options(), TimeProvider.System));
        var usersB = new UserRepository(new TableAccess(second.Client, second.Options(), TimeProvider.System));
        var ordersA = new OrderRepository(new TableAccess(first.Client, first.Options(), TimeProvider.System));
        var ordersB = new OrderRepository(new TableAccess(second.Client, second.Options(), TimeProvider.System));
        foreach (var item in a.Where(i => i[Attr.EntityType].S == EntityTypes.User))
        {
            var id = Guid.Parse(item[Attr.Id].S);
            Assert.Equal(Json.Of(await usersA.GetAsync(id, Ct)), Json.Of(await usersB.GetAsync(id, Ct)));
        }

        foreach (var item in a.Where(i => i[Attr.EntityType].S == EntityTypes.Order))
        {
            var id = Guid.Parse(item[Attr.Id].S);
            Assert.Equal(Json.Of(await ordersA.GetAsync(id, Ct)), Json.Of(await ordersB.GetAsync(id, Ct)));
        }
    }

    /// <summary>The items that hold no PII and no blind index (those are under each table's own keys).</summary>
    internal static List<Dictionary<string, AttributeValue>> WithoutPii(List<Dictionary<string, AttributeValue>> items) =>
        [.. items.Where(i => i[Attr.EntityType].S is not (EntityTypes.User or EntityTypes.UserKey or EntityTypes.EmailMarker or EntityTypes.UserWord or EntityTypes.UserCity or EntityTypes.Order))];

    [Fact]
    public async Task Seeding_a_scenario_twice_overwrites_instead_of_duplicating()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        var seeder = new DataSeeder(table.Client, TimeProvider.System);

        await seeder.SeedAsync(table.Name, new SeedRequest(SeedScenario.Single), null, Ct);
        var once = KeysOf(await table.AllItemsAsync(Ct));
        await seeder.SeedAsync(table.Name, new SeedRequest(SeedScenario.Single), null, Ct);

        // The same items, not a second set (their ciphertext is new: each run seals afresh).
        Assert.Equal(once, KeysOf(await table.AllItemsAsync(Ct)));
    }

    [Fact]
    public async Task Edge_case_values_read_back_through_the_repositories_unchanged()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        var result = await Cli.RunAsync(SeedCommand.Create(), "seed", "--scenario", "edge", "--seed", "5", "--endpoint", fixture.ServiceUrl.ToString(), "--table", table.Name);
        Assert.True(result.ExitCode == 0, result.Error);
        var edge = EdgeCaseData.Create(seed: 5, createdDateShards: 1);
        var options = table.Options();

        var users = new UserRepository(new TableAccess(table.Client, options, TimeProvider.System));
        foreach (var expected in edge.Users)
        {
            Assert.Equal(Json.Of(expected), Json.Of(await users.GetAsync(expected.Id, Ct)));
            Assert.Equal(expected.Id, (await users.GetByEmailAsync(expected.Email, Ct))?.Id);
        }

        var unicode = edge.Users[2];
        Assert.Contains(unicode.Id, (await users.ByCityAsync("São Paulo", new PageRequest(), Ct)).Items.Select(u => u.Id));
        Assert.Contains(unicode.Id, (await users.ByCityAsync("東京", new PageRequest(), Ct)).Items.Select(u => u.Id));
        Assert.Contains(unicode.Id, (await users.SearchByNameAsync("josé محمد", new PageRequest(), Ct)).Items.Select(u => u.Id));
        var longest = edge.Users[0];
        Assert.Contains(longest.Id, (await users.ByCityAsync(longest.Addresses[9].City, new PageRequest(), Ct)).Items.Select(u => u.Id));

        var products = new ProductRepository(new TableAccess(table.Client, options, TimeProvider.System));
        foreach (var expected in edge.Products)
        {
            Assert.Equal(Json.Of(expected), Json.Of(await products.GetAsync(expected.Id, Ct)));
        }

        var roles = new RoleRepository(new TableAccess(table.Client, options, TimeProvider.System));
        foreach (var expected in edge.Roles)
        {
            Assert.Equal(Json.Of(expected), Json.Of(await roles.GetAsync(expected.Id, Ct)));
        }

        Assert.Equal(
            edge.UserRoles.Where(l => l.UserId == unicode.Id).Select(l => l.RoleName).Order(StringComparer.Ordinal),
            (await roles.ListRolesOfUserAsync(unicode.Id, new PageRequest(), Ct)).Items.Select(l => l.RoleName).Order(StringComparer.Ordinal));

        var orders = new OrderRepository(new TableAccess(table.Client, options, TimeProvider.System));
        foreach (var expected in edge.Orders)
        {
            var stored = await orders.GetAsync(expected.Id, Ct);
            Assert.NotNull(stored);
            // Lines come back in key order (by product id); the order of lines is not part of an order's meaning.
            Assert.Equal(
                Json.Of(expected with { Items = [.. expected.Items.OrderBy(i => i.ProductId)] }),
                Json.Of(stored with { Items = [.. stored.Items.OrderBy(i => i.ProductId)] }));
        }

        var comments = new CommentRepository(new TableAccess(table.Client, options, TimeProvider.System));
        foreach (var expected in edge.Comments)
        {
            var page = await comments.ListByTargetAsync(expected.TargetType, expected.TargetId, new PageRequest(), Ct);
            Assert.Equal(Json.Of(expected), Json.Of(Assert.Single(page.Items, c => c.Id == expected.Id)));
        }
    }

    [Fact]
    public async Task Unprocessed_items_are_retried_until_every_item_is_written()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        using var client = new HalfThrottlingClient(DynamoDbLocalServer.LocalCredentials, fixture.Server.CreateConfig());
        var items = DataSeeder.Items(new SeedRequest(SeedScenario.Single), Sealing.Ephemeral()).ToList();
        var writer = new BatchWriter(client, new BatchWriteOptions { Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1) } }, TimeProvider.System);
        long reported = 0;

        var written = await writer.PutAllAsync(table.Name, items, n => Interlocked.Add(ref reported, n), Ct);

        Assert.True(client.ReturnedUnprocessed > 0, "the fake should have throttled part of a batch");
        Assert.Equal(items.Count, written);
        Assert.Equal(items.Count, reported);
        // Keys, not whole items: DynamoDB stores numbers normalized (61.30 reads back as 61.3).
        Assert.Equal(KeysOf(items), KeysOf(await table.AllItemsAsync(Ct)));
    }

    [Fact]
    public async Task A_table_that_keeps_throttling_fails_with_a_clear_error_after_the_retry_budget()
    {
        await using var table = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        using var client = new HalfThrottlingClient(DynamoDbLocalServer.LocalCredentials, fixture.Server.CreateConfig()) { Always = true };
        var writer = new BatchWriter(client, new BatchWriteOptions { Retry = new RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1) } }, TimeProvider.System);

        var error = await Assert.ThrowsAsync<BatchWriteException>(() =>
            writer.PutAllAsync(table.Name, DataSeeder.Items(new SeedRequest(SeedScenario.Single), Sealing.Ephemeral()), null, Ct));

        Assert.Contains("after 3 attempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_says_which_endpoint_seed_needs_and_that_it_starts_nothing()
    {
        var result = await Cli.RunAsync(SeedCommand.Create(), "seed", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("DYNAMODB_ENDPOINT", result.Output, StringComparison.Ordinal);
        Assert.Contains("never starts", result.Output, StringComparison.Ordinal);
        Assert.Contains("--scenario", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_that_is_not_a_url_fails_with_one_line_and_exit_code_1()
    {
        var result = await Cli.RunAsync(SeedCommand.Create(), "seed", "--scenario", "small", "--endpoint", "not a url");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: seed: ", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task An_unreachable_endpoint_fails_with_one_line_and_exit_code_1()
    {
        var result = await Cli.RunAsync(SeedCommand.Create(), "seed", "--scenario", "single", "--endpoint", "http://127.0.0.1:9");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: seed: ", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task An_unknown_scenario_is_a_usage_error()
    {
        var result = await Cli.RunAsync(SeedCommand.Create(), "seed", "--scenario", "huge", "--endpoint", fixture.ServiceUrl.ToString());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("huge", result.Error, StringComparison.Ordinal);
    }

    private static List<string> KeysOf(IEnumerable<Dictionary<string, AttributeValue>> items) =>
        [.. items.Select(i => i["PK"].S + " / " + i["SK"].S).Order(StringComparer.Ordinal)];

    /// <summary>Stores half of every batch and returns the other half as UnprocessedItems, as a throttled table does.</summary>
    private sealed class HalfThrottlingClient(AWSCredentials credentials, AmazonDynamoDBConfig config) : AmazonDynamoDBClient(credentials, config)
    {
        private int _returnedUnprocessed;

        public bool Always { get; init; }

        public int ReturnedUnprocessed => _returnedUnprocessed;

        public override async Task<BatchWriteItemResponse> BatchWriteItemAsync(BatchWriteItemRequest request, CancellationToken cancellationToken = default)
        {
            var (tableName, writes) = request.RequestItems.Single();
            if (writes.Count < 2 && !Always)
            {
                return await base.BatchWriteItemAsync(request, cancellationToken);
            }

            var kept = Always ? [] : writes.Take(writes.Count / 2).ToList();
            var rest = writes.Skip(kept.Count).ToList();
            var response = kept.Count > 0
                ? await base.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [tableName] = kept } }, cancellationToken)
                : new BatchWriteItemResponse();
            response.UnprocessedItems = new Dictionary<string, List<WriteRequest>> { [tableName] = rest };
            Interlocked.Add(ref _returnedUnprocessed, rest.Count);
            return response;
        }
    }
}

/// <summary>Changes DYNAMODB_ENDPOINT, which is process-wide: runs in the assembly's non-parallel collection.</summary>
[Collection(typeof(Serverless.Local.Tests.DynamoDbLocal.EnvironmentChangingTests))]
public sealed class SeedWithoutEndpointTests
{
    [Fact]
    public async Task Without_an_endpoint_seed_says_in_one_line_that_it_needs_DYNAMODB_ENDPOINT()
    {
        var previous = Environment.GetEnvironmentVariable(DynamoDbLocalOptions.EndpointVariable);
        Environment.SetEnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, null);
        try
        {
            var result = await Cli.RunAsync(SeedCommand.Create(), "seed", "--scenario", "small");

            Assert.Equal(1, result.ExitCode);
            var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("DYNAMODB_ENDPOINT", line, StringComparison.Ordinal);
            Assert.Contains("--endpoint", line, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, previous);
        }
    }

    [Fact]
    public async Task DYNAMODB_ENDPOINT_is_used_when_no_endpoint_option_is_given()
    {
        var previous = Environment.GetEnvironmentVariable(DynamoDbLocalOptions.EndpointVariable);
        Environment.SetEnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, "http://127.0.0.1:9");
        try
        {
            var result = await Cli.RunAsync(SeedCommand.Create(), "seed", "--scenario", "single");

            // It went to the named (dead) endpoint instead of asking for one or starting an emulator.
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("reach", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, previous);
        }
    }
}

/// <summary>Standard error that cancels <paramref name="stop"/> when the first line is written to it.</summary>
internal sealed class StopAtFirstLine(CancellationTokenSource stop) : StringWriter
{
    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        stop.Cancel();
    }
}
