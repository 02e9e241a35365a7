using Serverless.Data;
using Serverless.Data.Orders;
using Serverless.Data.Products;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Products;
using Serverless.Domain.Users;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;
using Xunit;

namespace Serverless.Local.Tests.EventSourceMapping;

/// <summary>
/// The real audit and denormalization functions behind their template mappings with ParallelizationFactor 10: many
/// users' changes interleaved on one shard, batches of several lanes in flight at once; when the stream drains, every
/// user change has exactly one audit entry and every order carries its user's newest name and email.
/// </summary>
public sealed class ParallelStreamFunctionsTests(DynamoDbLocalFixture dynamo)
{
    private const int Users = 10;
    private const int OrdersPerUser = 3;
    private const int Renames = 5;

    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Audit_and_denormalization_stay_correct_with_ten_batches_of_a_shard_in_flight()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var access = new TableAccess(table.Admin, table.Options(), TimeProvider.System);
        var users = new UserRepository(access);
        var orders = new OrderRepository(access);
        var product = await new ProductRepository(access).CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3.5m }, "user:root", _ct);

        await using var audit = await StartAsync("AuditFunction", table);
        await using var denormalize = await StartAsync("DenormalizeFunction", table);

        var created = new List<User>();
        var placed = new Dictionary<Guid, List<Guid>>();
        for (var u = 0; u < Users; u++)
        {
            var user = await users.CreateAsync(NewUser(u), "user:root", _ct);
            created.Add(user);
            placed[user.Id] = [];
            for (var o = 0; o < OrdersPerUser; o++)
            {
                placed[user.Id].Add((await orders.CreateAsync(TemplateStreamFunctions.OrderOf(user, product), "user:root", _ct)).Id);
            }
        }

        // Interleaved on the shard: rename round r for every user, then round r + 1.
        var current = created.ToDictionary(u => u.Id);
        for (var r = 1; r <= Renames; r++)
        {
            foreach (var id in current.Keys.ToList())
            {
                var user = current[id];
                current[id] = await users.UpdateAsync(user with { Name = $"{user.Name.Split(' ')[0]} v{r}", Email = $"r{r}.{Guid.NewGuid():N}@example.com" }, user.Version, "user:root", _ct);
            }
        }

        await Eventually.WaitUntilAsync(
            async () =>
            {
                foreach (var (userId, orderIds) in placed)
                {
                    var newest = current[userId];
                    foreach (var orderId in orderIds)
                    {
                        var order = await orders.GetAsync(orderId, _ct);
                        if (order!.UserName != newest.Name || order.UserEmail != newest.Email)
                        {
                            return false;
                        }
                    }
                }

                return true;
            },
            "every order carries its user's newest name and email",
            _ct,
            TimeSpan.FromMinutes(3));

        var expectedPerUser = 1 + Renames;
        await Eventually.WaitUntilAsync(
            async () => (await UserAuditCountsAsync(table)).Values.Sum() >= Users * expectedPerUser,
            "every user change audited",
            _ct,
            TimeSpan.FromMinutes(3));

        // Once, not more: a change is audited exactly once even with its neighbours' batches running beside it.
        var counts = await UserAuditCountsAsync(table);
        Assert.Equal(Users, counts.Count);
        Assert.All(counts.Values, n => Assert.Equal(expectedPerUser, n));
    }

    private async Task<Dictionary<string, int>> UserAuditCountsAsync(TestTable table) =>
        (await table.AllItemsAsync(_ct))
            .Where(i => i[Attr.PK].S.StartsWith(KeyPrefix.Audit + EntityTypes.User + "#", StringComparison.Ordinal))
            .GroupBy(i => i[Attr.PK].S, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>The function behind the template's mapping for it, with ten batches of a shard allowed in flight.</summary>
    private async Task<EmulatorHarness> StartAsync(string functionId, TestTable table)
    {
        var function = await TemplateStreamFunctions.CreateAsync(functionId, dynamo, table, _ct);
        var mapping = (await SamTemplateLoader.LoadFileAsync(RepoPaths.Of("template.yaml"), ct: _ct)).Single(s => s.FunctionName == functionId)
            with { ParallelizationFactor = 10, BatchSize = 5 };
        return await EmulatorHarness.StartAsync(
            dynamo,
            new StreamFunctionMapping(mapping, table.Name, (payload, token) => function.InvokeAsync(payload, TestEnvironment.Context(), token).AsTask()),
            _ct);
    }

    private static User NewUser(int n) => new()
    {
        Id = Guid.NewGuid(),
        Email = $"user{n}.{Guid.NewGuid():N}@example.com",
        Name = $"User{n} v0",
        PasswordHash = "pbkdf2$secret-hash-value",
        Addresses = [new Address { Type = AddressType.Home, Street = "1 Main Street", City = "London", Country = "GB", IsDefault = true }],
    };
}
