using Amazon.DynamoDBv2;
using Serverless.Data;
using Serverless.Data.Client.Faults;
using Serverless.Data.Orders;
using Serverless.Data.Table;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Users;
using Serverless.DynamoDbLocal;
using Serverless.Local.Seed;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Seeding;

/// <summary>
/// <c>seed --scenario small</c> with every DynamoDB call faulted (the keyring's creation and the user keys' too; the
/// SDK's retries on, as the CLI has them), run again after each failure as its user would (seeding is idempotent)
/// until a run completes: the table must hold what a fault-free seed writes, no item lost, none doubled.
/// docs/reliability.md holds the rows.
/// </summary>
public sealed class SeedUnderFaultsTests(DynamoDbLocalFixture fixture)
{
    private const double Rate = 0.25;
    private const int MostRuns = 100;
    private static readonly SeedRequest Small = new(SeedScenario.Small, Seed: 4321);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(FaultCases.All), MemberType = typeof(FaultCases))]
    public async Task Seeding_rerun_after_each_failure_stores_what_a_fault_free_seed_stores(FaultClass fault)
    {
        await using var clean = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await using var faulted = await TestTable.CreateAsync(fixture, withStream: false, Ct);
        await new DataSeeder(clean.Admin, TimeProvider.System).SeedAsync(clean.Name, Small, null, Ct);
        var config = fixture.Server.CreateConfig();
        var counters = FaultInjection.Attach(config, FaultOptions.Only(fault, Rate, seed: 80 + (int)fault));
        using var client = new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config);

        var runs = await FaultCases.RunUntilDoneAsync(() => new DataSeeder(client, TimeProvider.System).SeedAsync(faulted.Name, Small, null, Ct), MostRuns);

        var (want, got) = (await clean.AllItemsAsync(Ct), await faulted.AllItemsAsync(Ct));
        var (plainWant, plainGot) = (ItemText.Sorted(SeedCommandTests.WithoutPii(want)), ItemText.Sorted(SeedCommandTests.WithoutPii(got)));
        var lost = plainWant.Except(plainGot).Count() + Math.Max(0, want.Count - got.Count);
        var duplicated = Math.Max(0, got.Count - want.Count);
        // The sealed items (each table's own keys) as the repositories read them.
        var (cleanUsers, faultedUsers) = (new UserRepository(Access(clean)), new UserRepository(Access(faulted)));
        var (cleanOrders, faultedOrders) = (new OrderRepository(Access(clean)), new OrderRepository(Access(faulted)));
        foreach (var item in want.Where(i => i[Attr.EntityType].S is EntityTypes.User or EntityTypes.Order))
        {
            var id = Guid.Parse(item[Attr.Id].S);
            var same = item[Attr.EntityType].S == EntityTypes.User
                ? Json.Of(await cleanUsers.GetAsync(id, Ct)) == Json.Of(await faultedUsers.GetAsync(id, Ct))
                : Json.Of(await cleanOrders.GetAsync(id, Ct)) == Json.Of(await faultedOrders.GetAsync(id, Ct));
            lost += same ? 0 : 1;
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"| seed small | `{fault}` | {Rate} | {want.Count} | {runs} | {lost} | {duplicated} | {counters.TotalInjected} / {counters.Eligible} |");
        Assert.True(counters.Injected(fault) > 0, "no fault was injected");
        Assert.Equal((0, 0), (lost, duplicated));
        Assert.Equal(ScenarioCounts.For(SeedScenario.Small), EntityCounts.Of(got));
    }

    private static TableAccess Access(TestTable table) => new(table.Admin, table.Options(), TimeProvider.System);
}
