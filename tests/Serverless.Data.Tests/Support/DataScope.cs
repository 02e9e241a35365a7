using Amazon.DynamoDBv2.Model;
using Serverless.Data.Audit;
using Serverless.Data.Comments;
using Serverless.Data.Orders;
using Serverless.Data.Paging;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Users;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Users;
using Serverless.Testing;

namespace Serverless.Data.Tests.Support;

/// <summary>
/// One fresh table with every repository over the recording client and a hand-moved clock: what the order, product,
/// role, comment, audit and purge tests share. A table per test keeps their data and request logs apart.
/// </summary>
internal sealed class DataScope : IAsyncDisposable
{
    // In the real future: DynamoDB Local expires items whose ttl has passed by the real clock, soft-deleted users among them.
    public static readonly DateTimeOffset Start = new(2099, 5, 4, 10, 0, 0, TimeSpan.Zero);

    private DataScope(TestTable table)
    {
        Table = table;
        Clock = new ManualTimeProvider(Start);
        // One access for every repository, as the API has: one keyring, one cache of users' keys.
        Access = new TableAccess(table.Client, table.Options(), Clock);
        Users = new UserRepository(Access);
        Orders = new OrderRepository(Access);
        Products = new ProductRepository(Access);
        Roles = new RoleRepository(Access);
        Comments = new CommentRepository(Access);
        Audit = new AuditRepository(Access);
        Purge = new UserPurge(Access);
    }

    public TableAccess Access { get; }

    public TestTable Table { get; }

    public ManualTimeProvider Clock { get; }

    public UserRepository Users { get; }

    public OrderRepository Orders { get; }

    public ProductRepository Products { get; }

    public RoleRepository Roles { get; }

    public CommentRepository Comments { get; }

    public AuditRepository Audit { get; }

    public UserPurge Purge { get; }

    /// <summary>The operations sent since the last <see cref="RequestRecorder.Clear"/>.</summary>
    public IReadOnlyList<string> Requests => Table.Requests.Operations;

    public static async Task<DataScope> CreateAsync(DynamoDbLocalFixture fixture)
    {
        var scope = new DataScope(await TestTable.CreateAsync(fixture, TestContext.Current.CancellationToken));
        // The keyring is made on first use; made here, it stays out of the requests each test counts.
        _ = await scope.Access.Privacy.KeysAsync(TestContext.Current.CancellationToken);
        scope.Table.Requests.Clear();
        return scope;
    }

    public async Task<User> NewUserAsync(string name = "Grace Hopper", string city = "Arlington")
    {
        var id = Guid.NewGuid();
        return await Users.CreateAsync(
            new User
            {
                Id = id,
                Email = $"u{id:N}@example.com",
                Name = name,
                PasswordHash = "$pbkdf2$test",
                Addresses = [new Address { Type = AddressType.Home, Street = "1 Main St", City = city, Country = "US", IsDefault = true }],
            },
            "test:setup",
            TestContext.Current.CancellationToken);
    }

    public async Task<Product> NewProductAsync(string name = "Widget", decimal price = 9.99m) =>
        await Products.CreateAsync(new Product { Id = Guid.NewGuid(), Name = name, Price = price }, "test:setup", TestContext.Current.CancellationToken);

    /// <summary>A valid order of one of each product for the user as it is now (email, name and version copied).</summary>
    public static Order OrderFor(User user, DateTimeOffset orderedAt, params Product[] products)
    {
        var lines = products.Select((p, i) => new OrderItem { ProductId = p.Id, ProductName = p.Name, Quantity = i + 1, UnitPrice = p.Price }).ToList();
        return new Order
        {
            Id = Guid.NewGuid(),
            UserId = user.Id,
            OrderedAt = orderedAt,
            UserEmail = user.Email,
            UserName = user.Name,
            UserVersion = user.Version,
            Items = lines,
            Total = OrderRules.TotalOf(lines),
        };
    }

    public Task<Order> PlaceOrderAsync(User user, DateTimeOffset orderedAt, params Product[] products) =>
        Orders.CreateAsync(OrderFor(user, orderedAt, products), "test:setup", TestContext.Current.CancellationToken);

    /// <summary>Every item in the table (a Scan on the unrecorded client: test bookkeeping only).</summary>
    public Task<List<Dictionary<string, AttributeValue>>> AllItemsAsync() => Table.AllItemsAsync(TestContext.Current.CancellationToken);

    /// <summary>Every page of a listing, following cursors until the last page.</summary>
    public static async Task<List<List<T>>> AllPagesAsync<T>(Func<PageRequest, Task<Page<T>>> list, int limit)
    {
        var pages = new List<List<T>>();
        string? cursor = null;
        do
        {
            var page = await list(new PageRequest(limit, cursor));
            pages.Add([.. page.Items]);
            cursor = page.NextCursor;
        }
        while (cursor is not null && pages.Count < 1000);

        return pages;
    }

    public ValueTask DisposeAsync() => Table.DisposeAsync();
}
