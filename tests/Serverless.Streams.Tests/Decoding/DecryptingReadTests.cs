using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Orders;
using Serverless.Data.Privacy;
using Serverless.Data.Products;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Users;
using Serverless.Streams.Decoding;
using Serverless.Streams.Tests.Support;
using Serverless.Testing;

namespace Serverless.Streams.Tests.Decoding;

/// <summary>
/// The typed decoding of stream records for a consumer given the table's keys: users and orders read with their PII
/// decrypted; without the keys they are "no access"; an erased user cannot be read and its orders show the PII as
/// erased; a ciphertext moved between users fails with an error that names neither value.
/// </summary>
public sealed class DecryptingReadTests(DynamoDbLocalFixture dynamo)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_consumer_with_the_keys_reads_users_and_orders_in_clear_and_one_without_them_is_told_it_has_no_access()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var (user, order) = await UserWithOrderAsync(table, "Orlaith Venmoor", "orlaith.venmoor@example.org");
        var stored = await table.EveryItemAsync(_ct);
        var userRecord = Change(ProfileOf(stored, user.Id));
        var orderRecord = Change(HeaderOf(stored, order.Id));

        var keys = FreshKeys(table);
        var read = await userRecord.ReadNewAsync<User>(keys, _ct);
        Assert.Equal((user.Name, user.Email, user.Addresses[0].City), (read!.Name, read.Email, read.Addresses[0].City));
        var readOrder = await orderRecord.ReadNewAsync<Order>(keys, _ct);
        Assert.Equal((user.Name, user.Email, order.Total), (readOrder!.UserName, readOrder.UserEmail, readOrder.Total));
        Assert.Null(await userRecord.ReadOldAsync<User>(keys, _ct));

        // Without the keys: a clear refusal, not a guess and not the ciphertext as text.
        var noAccess = Assert.Throws<StreamRecordDecodingException>(() => userRecord.ReadNew<User>());
        Assert.Contains("no access", noAccess.InnerException!.Message, StringComparison.Ordinal);
        Assert.Throws<StreamRecordDecodingException>(() => orderRecord.ReadNew<Order>());
    }

    [Fact]
    public async Task Items_without_pii_read_the_same_with_or_without_the_keys()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var access = new TableAccess(table.Client, table.Options(), TimeProvider.System);
        var product = await new ProductRepository(access).CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Oolong", Price = 7.25m }, "user:shop", _ct);
        var item = (await table.EveryItemAsync(_ct)).Single(i => i.GetValueOrDefault(Attr.EntityType)?.S == EntityTypes.Product);
        var change = Change(item);

        Assert.Equal(change.ReadNew<Product>(), await change.ReadNewAsync<Product>(FreshKeys(table), _ct));
        Assert.Equal(product.Name, change.ReadNew<Product>()!.Name);
    }

    [Fact]
    public async Task After_a_purge_the_user_cannot_be_read_and_its_orders_show_the_pii_as_erased()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var (user, order) = await UserWithOrderAsync(table, "Thessaly Quennox", "thessaly.quennox@example.org");
        var kept = await table.EveryItemAsync(_ct);
        var userRecord = Change(ProfileOf(kept, user.Id));
        var orderRecord = Change(HeaderOf(kept, order.Id));

        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));
        await users.DeleteAsync(user.Id, user.Version, "user:t", _ct);
        var later = new TableAccess(table.Client, table.Options(), new ManualTimeProvider(DateTimeOffset.UtcNow + table.Options().SoftDeleteRetention + TimeSpan.FromDays(1)));
        Assert.True((await new UserPurge(later).PurgeAsync(user.Id, markerToken: null, _ct)).KeyDeleted);

        var keys = FreshKeys(table);
        var erased = await Assert.ThrowsAsync<StreamRecordDecodingException>(() => userRecord.ReadNewAsync<User>(keys, _ct));
        Assert.Contains("erased", erased.Message, StringComparison.Ordinal);
        Assert.Contains(userRecord.EventId, erased.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("thessaly", erased.ToString(), StringComparison.OrdinalIgnoreCase);

        var readOrder = await orderRecord.ReadNewAsync<Order>(keys, _ct);
        Assert.Equal((ProtectedFields.Erased, ProtectedFields.Erased), (readOrder!.UserName, readOrder.UserEmail));
        Assert.Equal(order.Total, readOrder.Total);
    }

    [Fact]
    public async Task A_ciphertext_moved_to_another_user_fails_without_naming_either_value()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var (first, _) = await UserWithOrderAsync(table, "Ysolde Marrowick", "ysolde.marrowick@example.org");
        var (second, _) = await UserWithOrderAsync(table, "Caedmon Ferrule", "caedmon.ferrule@example.org");
        var stored = await table.EveryItemAsync(_ct);
        var moved = new Dictionary<string, AttributeValue>(ProfileOf(stored, second.Id), StringComparer.Ordinal)
        {
            [Attr.Email] = ProfileOf(stored, first.Id)[Attr.Email],
        };

        var failure = await Assert.ThrowsAsync<StreamRecordDecodingException>(() => Change(moved).ReadNewAsync<User>(FreshKeys(table), _ct));
        Assert.Contains(Attr.Email, failure.Message, StringComparison.Ordinal);
        foreach (var value in new[] { "ysolde", "marrowick", "caedmon", "ferrule" })
        {
            Assert.DoesNotContain(value, failure.ToString(), StringComparison.OrdinalIgnoreCase);
        }
    }

    private async Task<(User User, Order Order)> UserWithOrderAsync(TestTable table, string name, string email)
    {
        var access = new TableAccess(table.Client, table.Options(), TimeProvider.System);
        var user = await new UserRepository(access).CreateAsync(
            TestData.NewUser(name, email) with
            {
                Addresses = [new Address { Type = AddressType.Home, Street = "4 Larch Row", City = "Fennick", Country = "GB", IsDefault = true }],
            },
            "user:test", _ct);
        var product = await new ProductRepository(access).CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3.5m }, "user:shop", _ct);
        var order = await new OrderRepository(access).CreateAsync(
            new Order
            {
                Id = Guid.NewGuid(),
                UserId = user.Id,
                UserEmail = user.Email,
                UserName = user.Name,
                UserVersion = user.Version,
                Total = product.Price,
                Items = [new OrderItem { ProductId = product.Id, ProductName = product.Name, Quantity = 1, UnitPrice = product.Price }],
            },
            "user:test", _ct);
        return (user, order);
    }

    // A reader that has cached nothing: what a separate consumer given the table's keys would hold.
    private static FieldProtection FreshKeys(TestTable table) =>
        new(table.Client, table.Name, FieldProtection.DefaultLocalRootKey(), TimeProvider.System);

    private static StreamChange Change(IReadOnlyDictionary<string, AttributeValue> item) =>
        StreamRecordDecoder.Decode(StreamEvents.Record("INSERT", null, item));

    private static Dictionary<string, AttributeValue> ProfileOf(IEnumerable<Dictionary<string, AttributeValue>> items, Guid userId) =>
        items.Single(i => i[Attr.PK].S == Keys.UserPartition(userId) && i[Attr.SK].S == KeyPrefix.ProfileSort);

    private static Dictionary<string, AttributeValue> HeaderOf(IEnumerable<Dictionary<string, AttributeValue>> items, Guid orderId) =>
        items.Single(i => i[Attr.PK].S == Keys.OrderPartition(orderId) && i[Attr.SK].S == KeyPrefix.OrderSort);
}
