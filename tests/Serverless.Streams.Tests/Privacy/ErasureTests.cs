using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Audit;
using Serverless.Data.Orders;
using Serverless.Data.Paging;
using Serverless.Data.Privacy;
using Serverless.Data.Products;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Audit;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Users;
using Serverless.Streams.Decoding;
using Serverless.Streams.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Streams.Tests.Privacy;

/// <summary>
/// PII through the whole path: written by the repositories, copied by the denormalization, audited from the stream.
/// Nowhere in the table or the stream is it in clear; and purging a user erases every copy at once (its key goes).
/// </summary>
public sealed class ErasureTests(DynamoDbLocalFixture dynamo) : IDisposable
{
    private const string Street = "77 Vellichor Lane";
    private const string City = "Quillmere";
    private const string Phone = "+14155557319";
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task No_pii_is_in_clear_in_the_table_or_the_stream_and_a_purge_erases_every_copy_of_one_user_only()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var audit = new RecordedFunction(StreamFunctions.CreateAudit(table.Client, table.Options(), _logs.Factory, TimeProvider.System));
        var denormalize = new RecordedFunction(StreamFunctions.CreateDenormalize(table.Client, table.Options(), _logs.Factory, TimeProvider.System));
        await using var emulation = await Emulation.StartAsync(
            dynamo, table.Name, [(audit, Emulation.Settings("AuditFunction")), (denormalize, Emulation.Settings("DenormalizeFunction"))], _ct);
        var access = new TableAccess(table.Client, table.Options(), TimeProvider.System);
        var users = new UserRepository(access);
        var orders = new OrderRepository(access);

        var doomed = await users.CreateAsync(Person("Zyxwal Quorvane", "Zyx.Quorvane@Example.org"), "user:zyx", _ct);
        var other = await users.CreateAsync(Person("Brannoc Elsewhere", "brannoc.elsewhere@example.org"), "user:bran", _ct);
        var product = await new ProductRepository(access).CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3.5m }, "user:shop", _ct);
        var order = await orders.CreateAsync(OrderOf(doomed, product), "user:zyx", _ct);
        var renamed = await users.UpdateAsync(doomed with { Name = "Zyxwal Quorvane-Ithe", Email = "zyx.ithe@example.org" }, 1, "user:zyx", _ct);
        await Eventually.WaitUntilAsync(async () => (await orders.GetAsync(order.Id, _ct))!.UserVersion == 2, "the order carries the new name", _ct);
        await Eventually.WaitUntilAsync(
            async () => (await TableReads.HistoryAsync(table, EntityTypes.User, doomed.Id, _ct)).Count == 2 && (await TableReads.HistoryAsync(table, EntityTypes.Order, order.Id, _ct)).Count == 2,
            "the changes are audited", _ct);

        // Read with the keys, everything is there.
        Assert.Equal(("Zyxwal Quorvane-Ithe", "zyx.ithe@example.org"), ((await orders.GetAsync(order.Id, _ct))!.UserName, (await orders.GetAsync(order.Id, _ct))!.UserEmail));
        // Raw, none of it is: not in a key, an attribute, an index item, an audit entry or a stream record.
        var needles = new[] { "Zyxwal", "zyxwal", "quorvan", "Zyx.Quorvane@Example.org", "zyx.quorvane@example.org", "zyx.ithe", "Quorvane-Ithe", City, "quillmere", Street, Phone, "Brannoc", "brannoc" };
        var stored = await table.EveryItemAsync(_ct);
        var streamed = audit.Records.Concat(denormalize.Records).Select(StreamRecordDecoder.Decode)
            .SelectMany(c => new[] { c.OldItem, c.NewItem }).OfType<IReadOnlyDictionary<string, AttributeValue>>().ToList();
        Assert.NotEmpty(streamed);
        var text = string.Join("\n", stored.Select(ItemText.Of).Concat(streamed.Select(i => ItemText.Of(i.ToDictionary()))));
        Assert.All(needles, n => Assert.DoesNotContain(n, text, StringComparison.OrdinalIgnoreCase));

        // The doomed user's items and stream records, as an attacker with a backup or the stream would keep them.
        var keptUser = stored.Single(i => i[Attr.PK].S == Keys.UserPartition(doomed.Id) && i[Attr.SK].S == KeyPrefix.ProfileSort);
        var keptOrder = stored.Single(i => i[Attr.PK].S == Keys.OrderPartition(order.Id) && i[Attr.SK].S == KeyPrefix.OrderSort);
        var keptRecords = streamed.Where(i => i.GetValueOrDefault(Attr.EntityType)?.S == EntityTypes.User && i[Attr.Id].S == doomed.Id.ToString("D")).ToList();

        // Soft delete, then the purge once the retention has ended.
        await users.DeleteAsync(doomed.Id, renamed.Version, "user:zyx", _ct);
        var later = new TableAccess(table.Client, table.Options(), new ManualTimeProvider(DateTimeOffset.UtcNow + table.Options().SoftDeleteRetention + TimeSpan.FromDays(1)));
        var report = await new UserPurge(later).PurgeAsync(doomed.Id, markerToken: null, _ct);
        Assert.True(report.KeyDeleted);

        // Nothing kept decrypts any more: the key is gone, for a reader that never cached it.
        var fresh = new FieldProtection(table.Client, table.Name, FieldProtection.DefaultLocalRootKey(), TimeProvider.System);
        Assert.Null(await fresh.ForUserAsync(doomed.Id, consistent: true, _ct));
        Assert.Throws<FieldDecryptionException>(() => UserProtection.Open(keptUser, null));
        Assert.Equal(ProtectedFields.Erased, OrderProtection.Open(keptOrder, null)[Attr.UserName].S);
        Assert.NotEmpty(keptRecords);
        Assert.All(keptRecords, r => Assert.Throws<FieldDecryptionException>(() => UserProtection.Open(r, null)));

        // The audit trail keeps its structure (who changed what, when) with the PII shown as erased.
        await Eventually.WaitUntilAsync(
            async () => (await TableReads.HistoryAsync(table, EntityTypes.User, doomed.Id, _ct)).Count >= 3, "the delete is audited", _ct);
        var history = await new AuditRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System))
            .HistoryAsync(EntityTypes.User, doomed.Id.ToString("D"), new PageRequest(100, null), _ct);
        Assert.Contains(history.Items, e => e.Action == AuditAction.Insert && e.ChangedBy == "user:zyx");
        Assert.All(history.Items, e =>
        {
            foreach (var values in new[] { e.OldValues, e.NewValues }.OfType<string>())
            {
                using var json = JsonDocument.Parse(values);
                Assert.Equal(ProtectedFields.Erased, json.RootElement.GetProperty(Attr.Name).GetString());
                Assert.Equal(ProtectedFields.Erased, json.RootElement.GetProperty(Attr.Email).GetString());
                Assert.Equal(doomed.Id.ToString("D"), json.RootElement.GetProperty(Attr.Id).GetString());
            }
        });

        // The other user is untouched: readable, and its audit trail too.
        Assert.Equal(other.Name, (await users.GetAsync(other.Id, _ct))!.Name);
        var otherHistory = await new AuditRepository(access).HistoryAsync(EntityTypes.User, other.Id.ToString("D"), new PageRequest(100, null), _ct);
        using var otherJson = JsonDocument.Parse(Assert.Single(otherHistory.Items).NewValues!);
        Assert.Equal(other.Name, otherJson.RootElement.GetProperty(Attr.Name).GetString());
    }

    private static User Person(string name, string email) => TestData.NewUser(name, email) with
    {
        Phone = Phone,
        Addresses = [new Address { Type = AddressType.Home, Street = Street, City = City, Country = "GB", IsDefault = true }],
    };

    private static Order OrderOf(User user, Product product) => new()
    {
        Id = Guid.NewGuid(),
        UserId = user.Id,
        UserEmail = user.Email,
        UserName = user.Name,
        UserVersion = user.Version,
        Total = product.Price,
        Items = [new OrderItem { ProductId = product.Id, ProductName = product.Name, Quantity = 1, UnitPrice = product.Price }],
    };

    public void Dispose() => _logs.Dispose();
}
