using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Client.Faults;
using Serverless.Data.Comments;
using Serverless.Data.Orders;
using Serverless.Data.Paging;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Data.Users;
using Serverless.Domain;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Roles;
using Serverless.Domain.Users;
using Serverless.DynamoDbLocal;
using Serverless.Testing;

namespace Serverless.Data.Tests.Client.Faults;

/// <summary>
/// The write paths through the repositories, with every DynamoDB call of theirs (reads too) faulted at a seeded rate
/// and the SDK's own retries on, as on Lambda. Each write is then read back without faults and counted: acknowledged
/// and there; lost (acknowledged, not there); duplicated (applied twice, or refused as a conflict against its own
/// earlier applied attempt); failed to the caller with nothing changed; failed to the caller although applied (a lost
/// response after the retries ran out: the caller was told it failed, and the data is exactly the one write it asked for).
/// docs/reliability.md holds the table these rows produce.
/// </summary>
public sealed class WritePathsUnderFaultsTests(DynamoDbLocalFixture dynamo) : IAsyncLifetime
{
    // Each chain is thirteen writes: on one new user create, update, email change, delete, restore, an order and its
    // status, a role and two comments; on one new product create, update and delete.
    private const int Chains = 20;
    private const int WritesPerChain = 13;
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private TestTable _table = null!;
    private ManualTimeProvider _clock = null!;
    private Repositories _clean = null!;
    private int _ordersMadeForTheChain;

    public async ValueTask InitializeAsync()
    {
        _table = await TestTable.CreateAsync(dynamo, withStream: false, Ct);
        _clock = new ManualTimeProvider(DataScope.Start);
        _clean = new Repositories(new TableAccess(_table.Admin, _table.Options(), _clock));
        // The keyring is made before faults start (making it under faults is not among the paths counted here).
        _ = await _clean.Access.Privacy.KeysAsync(Ct);
    }

    public ValueTask DisposeAsync() => _table.DisposeAsync();

    [Theory]
    [InlineData(FaultClass.ProvisionedThroughputExceeded, 0.25)]
    [InlineData(FaultClass.Throttling, 0.25)]
    [InlineData(FaultClass.InternalServerError, 0.25)]
    [InlineData(FaultClass.Timeout, 0.25)]
    [InlineData(FaultClass.ConnectionReset, 0.25)]
    [InlineData(FaultClass.AppliedButLost, 0.25)]
    public async Task Under_faults_no_acknowledged_write_is_lost_and_none_is_applied_twice(FaultClass fault, double rate)
    {
        var config = dynamo.Server.CreateConfig();
        var counters = FaultInjection.Attach(config, FaultOptions.Only(fault, rate, seed: 20 + (int)fault));
        using var faultedClient = new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config);
        var faulted = new Repositories(new TableAccess(faultedClient, _table.Options(), _clock));
        var product = await _clean.Products.CreateAsync(new Domain.Products.Product { Id = Guid.NewGuid(), Name = "Widget", Price = 9.99m }, "test:setup", Ct);
        var role = await _clean.Roles.CreateAsync(new Role { Id = Guid.NewGuid(), Name = $"role-{fault}" }, "test:setup", Ct);
        var tally = new Tally();

        for (var i = 0; i < Chains; i++)
        {
            await ChainAsync(faulted, tally, product, role, i);
            await ProductChainAsync(faulted, tally, i);
        }

        await CountStoredAsync(tally);
        TestContext.Current.TestOutputHelper?.WriteLine($"{fault} at {rate}: {tally} ({counters.TotalInjected} faults in {counters.Eligible} requests)");
        Assert.True(counters.Injected(fault) > 0, "no fault was injected");
        Assert.Equal(Chains * WritesPerChain, tally.Operations);
        Assert.True(tally.Unexpected.Count == 0, string.Join("\n", tally.Unexpected));
        Assert.Equal(0, tally.Lost);
        Assert.Equal(0, tally.Duplicated);
        Assert.Equal(tally.Operations, tally.Acknowledged + tally.FailedNothingChanged + tally.FailedApplied);
    }

    private async Task ChainAsync(Repositories faulted, Tally tally, Domain.Products.Product product, Role role, int i)
    {
        var id = Guid.NewGuid();
        var user = new User
        {
            Id = id,
            Email = $"f{id:N}@example.com",
            Name = "Ada Lovelace",
            PasswordHash = "$pbkdf2$test",
            Addresses = [new Address { Type = AddressType.Home, Street = "1 Main St", City = "London", Country = "GB", IsDefault = true }],
        };
        await RecordAsync(tally, "user create", () => faulted.Users.CreateAsync(user, "test:faults", Ct), async () => await _clean.Users.GetAsync(id, Ct) switch
        {
            null => Applied.No,
            { Version: 1 } => Applied.Once,
            _ => Applied.Twice,
        });
        if (await _clean.Users.GetAsync(id, Ct) is null)
        {
            // Not applied: the rest of the chain needs the user.
            await _clean.Users.CreateAsync(user, "test:setup", Ct);
        }

        await ChangeUserAsync(tally, "user update", id, u => faulted.Users.UpdateAsync(u with { Name = $"Ada Byron {i}" }, u.Version, "test:faults", Ct), u => u.Name == $"Ada Byron {i}");
        var newEmail = $"g{id:N}@example.com";
        await ChangeUserAsync(tally, "email change", id, u => faulted.Users.UpdateAsync(u with { Email = newEmail }, u.Version, "test:faults", Ct), u => u.Email == newEmail);
        await ChangeUserAsync(tally, "user delete", id, u => faulted.Users.DeleteAsync(id, u.Version, "test:faults", Ct), u => u.Status == UserStatus.Deleted);
        if ((await _clean.Users.GetAsync(id, Ct))! is { Status: not UserStatus.Deleted } notDeleted)
        {
            // The delete failed to its caller with nothing changed: the restore needs a deleted user.
            await _clean.Users.DeleteAsync(id, notDeleted.Version, "test:setup", Ct);
        }

        await ChangeUserAsync(tally, "user restore", id, u => faulted.Users.RestoreAsync(id, u.Version, "test:faults", Ct), u => u.Status == UserStatus.Active);

        var live = (await _clean.Users.GetAsync(id, Ct))!;
        if (live.Status == UserStatus.Deleted)
        {
            live = await _clean.Users.RestoreAsync(id, live.Version, "test:setup", Ct);
        }

        var order = DataScope.OrderFor(live, default, product);
        await RecordAsync(tally, "order create", () => faulted.Orders.CreateAsync(order, "test:faults", Ct),
            async () => await _clean.Orders.GetAsync(order.Id, Ct) is null ? Applied.No : Applied.Once);
        if (await _clean.Orders.GetAsync(order.Id, Ct) is null)
        {
            // Not applied: the status change needs the order.
            await _clean.Orders.CreateAsync(order, "test:setup", Ct);
            _ordersMadeForTheChain++;
        }

        // A versioned update of plain assignments: a resend after a lost response finds its values stored and succeeds.
        var placed = (await _clean.Orders.GetAsync(order.Id, Ct))!;
        await RecordAsync(tally, "order status", () => faulted.Orders.UpdateStatusAsync(order.Id, OrderStatus.Processing, placed.Version, "test:faults", Ct),
            async () => (await _clean.Orders.GetAsync(order.Id, Ct))! switch
            {
                { Status: OrderStatus.Pending } => Applied.No,
                var after when after.Version == placed.Version + 1 => Applied.Once,
                _ => Applied.Twice,
            });

        await RecordAsync(tally, "role assignment", () => faulted.Roles.AssignAsync(id, role.Id, "test:faults", Ct), async () =>
            (await _clean.Roles.ListRolesOfUserAsync(id, new PageRequest(10, null), Ct)).Items.Count(r => r.RoleId == role.Id) switch
            {
                0 => Applied.No,
                1 => Applied.Once,
                _ => Applied.Twice,
            });

        // A comment on the user is a transaction (the user must be live); one on a post is a single conditional put.
        foreach (var (target, targetId) in new[] { (CommentTarget.User, id), (CommentTarget.Post, Guid.NewGuid()) })
        {
            var comment = new Comment { Id = Guid.NewGuid(), TargetType = target, TargetId = targetId, Content = $"comment {i}" };
            await RecordAsync(tally, $"comment create ({target})", () => faulted.Comments.AddAsync(comment, "test:faults", Ct), async () =>
                (await _clean.Comments.ListByTargetAsync(target, targetId, new PageRequest(10, null), Ct)).Items.Count(c => c.Id == comment.Id) switch
                {
                    0 => Applied.No,
                    1 => Applied.Once,
                    _ => Applied.Twice,
                });
        }
    }

    /// <summary>
    /// A product's create and update are single conditional puts (a resend that finds exactly its item succeeds); its
    /// delete stamps the deleter (a versioned update) and then deletes at that version in a transaction of one action,
    /// whose request token answers a resend as the first attempt was answered.
    /// </summary>
    private async Task ProductChainAsync(Repositories faulted, Tally tally, int i)
    {
        var product = new Domain.Products.Product { Id = Guid.NewGuid(), Name = $"Gadget {i}", Price = 4.50m };
        await RecordAsync(tally, "product create", () => faulted.Products.CreateAsync(product, "test:faults", Ct), async () => await _clean.Products.GetAsync(product.Id, Ct) switch
        {
            null => Applied.No,
            { Version: 1 } => Applied.Once,
            _ => Applied.Twice,
        });
        if (await _clean.Products.GetAsync(product.Id, Ct) is null)
        {
            await _clean.Products.CreateAsync(product, "test:setup", Ct);
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        var before = (await _clean.Products.GetAsync(product.Id, Ct))!;
        await RecordAsync(tally, "product update", () => faulted.Products.UpdateAsync(before with { Price = 5.25m }, before.Version, "test:faults", Ct), async () =>
        {
            var after = (await _clean.Products.GetAsync(product.Id, Ct))!;
            return (after.Version - before.Version) switch
            {
                0 => Applied.No,
                1 when after.Price == 5.25m => Applied.Once,
                _ => Applied.Twice,
            };
        });

        // Gone is applied; still there (stamped by the first step or not) is not, and a retry with its version finishes it.
        _clock.Advance(TimeSpan.FromSeconds(1));
        var toDelete = (await _clean.Products.GetAsync(product.Id, Ct))!;
        await RecordAsync(tally, "product delete", () => faulted.Products.DeleteAsync(product.Id, toDelete.Version, "test:faults", Ct),
            async () => await _clean.Products.GetAsync(product.Id, Ct) is null ? Applied.Once : Applied.No);
    }

    /// <summary>A change of the user from the version stored now: applied once when it is at the next version with the change made.</summary>
    private async Task ChangeUserAsync(Tally tally, string operation, Guid id, Func<User, Task> change, Func<User, bool> made)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        var before = (await _clean.Users.GetAsync(id, Ct))!;
        await RecordAsync(tally, operation, () => change(before), async () =>
        {
            var after = (await _clean.Users.GetAsync(id, Ct))!;
            return (after.Version - before.Version) switch
            {
                0 => Applied.No,
                1 when made(after) => Applied.Once,
                _ => Applied.Twice,
            };
        });
    }

    private static async Task RecordAsync(Tally tally, string operation, Func<Task> write, Func<Task<Applied>> check)
    {
        Exception? failure = null;
        try
        {
            await write();
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            failure = e;
        }

        tally.Count(operation, failure, await check());
    }

    /// <summary>Every order, order line, link and comment in the table is one that a counted write made once.</summary>
    private async Task CountStoredAsync(Tally tally)
    {
        var items = await _table.AllItemsAsync(Ct);
        int Of(string type) => items.Count(i => i.GetValueOrDefault(Attr.EntityType)?.S == type);
        tally.CheckStored("orders", Of(EntityTypes.Order), tally.AppliedOf("order create") + _ordersMadeForTheChain);
        tally.CheckStored("order lines", Of(EntityTypes.OrderItem), tally.AppliedOf("order create") + _ordersMadeForTheChain);
        // The product every chain's order names, and each chain's own product unless its delete did not apply.
        tally.CheckStored("products", Of(EntityTypes.Product), 1 + Chains - tally.AppliedOf("product delete"));
        tally.CheckStored("role links", Of(EntityTypes.UserRole), tally.AppliedOf("role assignment"));
        tally.CheckStored("comments", Of(EntityTypes.Comment), tally.AppliedOf("comment create (User)") + tally.AppliedOf("comment create (Post)"));
    }

    private enum Applied { No, Once, Twice }

    private sealed class Repositories(TableAccess access)
    {
        public TableAccess Access { get; } = access;

        public UserRepository Users { get; } = new(access);

        public OrderRepository Orders { get; } = new(access);

        public ProductRepository Products { get; } = new(access);

        public RoleRepository Roles { get; } = new(access);

        public CommentRepository Comments { get; } = new(access);
    }

    private sealed class Tally
    {
        private readonly Dictionary<string, int> _applied = [];

        public int Operations { get; private set; }

        public int Acknowledged { get; private set; }

        public int Lost { get; private set; }

        public int Duplicated { get; private set; }

        public int FailedNothingChanged { get; private set; }

        public int FailedApplied { get; private set; }

        public List<string> Unexpected { get; } = [];

        public int AppliedOf(string operation) => _applied.GetValueOrDefault(operation);

        public void Count(string operation, Exception? failure, Applied applied)
        {
            Operations++;
            if (applied != Applied.No)
            {
                _applied[operation] = AppliedOf(operation) + 1;
            }

            switch (failure, applied)
            {
                case (_, Applied.Twice):
                    Duplicated++;
                    Unexpected.Add($"{operation}: applied twice");
                    break;
                case (null, Applied.Once):
                    Acknowledged++;
                    break;
                case (null, Applied.No):
                    Lost++;
                    Unexpected.Add($"{operation}: acknowledged but not there");
                    break;
                case (DomainException e, Applied.Once):
                    // Refused against its own earlier applied attempt (a 409 or 412 to a write that went through).
                    Duplicated++;
                    Unexpected.Add($"{operation}: {e.GetType().Name} against its own applied attempt: {e.Message}");
                    break;
                case (DomainException e, Applied.No):
                    Unexpected.Add($"{operation}: refused with nothing applied: {e.GetType().Name}: {e.Message}");
                    break;
                case (_, Applied.Once):
                    FailedApplied++;
                    break;
                default:
                    FailedNothingChanged++;
                    break;
            }
        }

        public void CheckStored(string what, int stored, int applied)
        {
            if (stored != applied)
            {
                Duplicated += Math.Max(0, stored - applied);
                Unexpected.Add($"{stored} {what} stored for {applied} applied writes");
            }
        }

        public override string ToString() =>
            $"{Operations} writes: {Acknowledged} acknowledged, {Lost} lost, {Duplicated} duplicated, {FailedNothingChanged} failed with nothing changed, {FailedApplied} failed although applied";
    }
}
