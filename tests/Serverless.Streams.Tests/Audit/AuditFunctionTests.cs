using Serverless.Data.Audit;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Audit;
using Serverless.Domain.Products;
using Serverless.Domain.Roles;
using Serverless.Local.EventSourceMapping;
using Serverless.Streams.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Streams.Tests.Audit;

/// <summary>The audit function against DynamoDB Local, fed by the local event source mapping from the table's stream.</summary>
public sealed class AuditFunctionTests(DynamoDbLocalFixture dynamo) : IDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task Create_update_and_soft_delete_of_a_user_give_exactly_three_entries_with_their_writers()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var audit = AuditFunction(table);
        await using var emulation = await Emulation.StartAsync(dynamo, table.Name, [(audit, Emulation.Settings("AuditFunction"))], _ct);
        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));

        var created = await users.CreateAsync(TestData.NewUser(), "user:alice", _ct);
        await users.UpdateAsync(created with { Name = "Ada King" }, 1, "user:admin", _ct);
        await users.DeleteAsync(created.Id, 2, "user:bob", _ct);
        await WaitForSentinelAsync(table, audit);

        // Newest first as stored, so reversed it is the order of the changes (all three within one minute).
        var history = (await TableReads.HistoryAsync(table, EntityTypes.User, created.Id, _ct)).Reverse().ToList();
        Assert.Equal([AuditAction.Insert, AuditAction.Update, AuditAction.Update], history.Select(e => e.Action));
        Assert.Equal([1, 2, 3], history.Select(VersionOf));
        Assert.Equal(["user:alice", "user:admin", "user:bob"], history.Select(e => e.ChangedBy));
        Assert.Null(history[0].OldValues);
        // Read back through the repository, with the user's key, the values are the user's.
        Assert.Equal("Ada King", Value(history[1].NewValues, "name"));
        Assert.Equal("Ada Lovelace", Value(history[1].OldValues, "name"));
        // As stored, they are the user's ciphertext, copied from the stream images: the audit function has no key.
        var stored = (await TableReads.AuditItemsAsync(table, _ct)).Where(i => i[Attr.RecordType].S == EntityTypes.User).ToList();
        Assert.Equal(3, stored.Count);
        Assert.All(stored, i => Assert.DoesNotContain("Ada", (i.GetValueOrDefault(Attr.OldValues)?.S ?? "") + i.GetValueOrDefault(Attr.NewValues)?.S, StringComparison.Ordinal));
        Assert.Equal("deleted", Value(history[2].NewValues, "status"));
        Assert.All(history, e => Assert.InRange(e.ChangedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.All(history, e => Assert.DoesNotContain("pbkdf2$secret-hash-value", (e.OldValues ?? "") + e.NewValues, StringComparison.Ordinal));

        // Only entity items are audited: the email marker, name words and cities written in the same transactions
        // are not, and the audit items themselves never are (no feedback loop).
        var auditItems = await TableReads.AuditItemsAsync(table, _ct);
        Assert.Equal([EntityTypes.Product, EntityTypes.User], auditItems.Select(i => i[Attr.RecordType].S).Distinct().Order());
        Assert.Equal(4, auditItems.Count);
    }

    [Fact]
    public async Task A_product_created_updated_twice_and_deleted_within_a_minute_reads_back_newest_first_in_the_order_of_its_changes()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var audit = AuditFunction(table);
        await using var emulation = await Emulation.StartAsync(dynamo, table.Name, [(audit, Emulation.Settings("AuditFunction"))], _ct);
        // Plain table writes, one stream record each: DynamoDB Local stamps them all with the same minute, so only
        // the stream's own order can tell them apart.
        var product = new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3m, Version = 1, LastWriter = "user:carol" };
        await table.Admin.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = ProductMapper.ToItem(product) }, _ct);
        await table.Admin.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = ProductMapper.ToItem(product with { Price = 4m, Version = 2 }) }, _ct);
        await table.Admin.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = ProductMapper.ToItem(product with { Price = 5m, Version = 3 }) }, _ct);
        await table.Admin.DeleteItemAsync(new DeleteItemRequest { TableName = table.Name, Key = Keys.Product(product.Id).ToAttributes() }, _ct);
        await WaitForSentinelAsync(table, audit);

        var history = await TableReads.HistoryAsync(table, EntityTypes.Product, product.Id, _ct);

        Assert.Equal([AuditAction.Delete, AuditAction.Update, AuditAction.Update, AuditAction.Insert], history.Select(e => e.Action));
        Assert.Equal([3, 3, 2, 1], history.Select(VersionOf));
    }

    [Fact]
    public async Task A_products_delete_and_a_role_unassignment_are_audited_as_one_delete_each_by_their_deleter_with_no_update_before()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var audit = AuditFunction(table);
        await using var emulation = await Emulation.StartAsync(dynamo, table.Name, [(audit, Emulation.Settings("AuditFunction"))], _ct);
        var products = new ProductRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));
        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));
        var roles = new RoleRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));

        var product = await products.CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Kettle", Price = 20m }, "user:alice", _ct);
        await products.DeleteAsync(product.Id, 1, "user:bob", _ct);
        var user = await users.CreateAsync(TestData.NewUser(), "user:alice", _ct);
        var role = await roles.CreateAsync(new Role { Id = Guid.NewGuid(), Name = "Brewer" }, "user:alice", _ct);
        await roles.AssignAsync(user.Id, role.Id, "user:alice", _ct);
        Assert.True(await roles.UnassignAsync(user.Id, role.Id, "user:carol", _ct));
        await WaitForSentinelAsync(table, audit);

        var productHistory = await TableReads.HistoryAsync(table, EntityTypes.Product, product.Id, _ct);
        Assert.Equal([AuditAction.Insert, AuditAction.Delete], productHistory.Select(e => e.Action).Order());
        Assert.Equal("user:bob", productHistory.Single(e => e.Action == AuditAction.Delete).ChangedBy);
        var linkHistory = await TableReads.HistoryAsync(table, EntityTypes.UserRole, $"{user.Id:D}/{role.Id:D}", _ct);
        Assert.Equal([AuditAction.Insert, AuditAction.Delete], linkHistory.Select(e => e.Action).Order());
        Assert.Equal("user:carol", linkHistory.Single(e => e.Action == AuditAction.Delete).ChangedBy);
    }

    [Fact]
    public async Task An_update_that_changes_nothing_leaves_no_audit_entry()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var audit = AuditFunction(table);
        await using var emulation = await Emulation.StartAsync(dynamo, table.Name, [(audit, Emulation.Settings("AuditFunction"))], _ct);
        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));
        var products = new ProductRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));

        var user = await users.CreateAsync(TestData.NewUser(), "user:alice", _ct);
        var product = await products.CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Kettle", Price = 20m }, "user:alice", _ct);
        Assert.Equal(1, (await users.UpdateAsync(user with { Metadata = new Dictionary<string, string>(user.Metadata) }, 1, "user:bob", _ct)).Version);
        Assert.Equal(1, (await products.UpdateAsync(product with { Price = 20.00m }, 1, "user:bob", _ct)).Version);
        await WaitForSentinelAsync(table, audit);

        Assert.Equal([AuditAction.Insert], (await TableReads.HistoryAsync(table, EntityTypes.User, user.Id, _ct)).Select(e => e.Action));
        Assert.Equal([AuditAction.Insert], (await TableReads.HistoryAsync(table, EntityTypes.Product, product.Id, _ct)).Select(e => e.Action));
    }

    [Fact]
    public async Task Each_entry_expires_after_the_configured_retention_from_the_change()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var options = table.Options() with { AuditRetention = TimeSpan.FromDays(7) };
        var function = StreamFunctions.CreateAudit(table.Client, options, _logs.Factory, TimeProvider.System);
        var product = ProductItem("user:carol");
        var at = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);

        await function.InvokeMeteredAsync(StreamEvents.Payload(StreamEvents.Record("INSERT", null, product, at)), _ct);

        var item = Assert.Single(await TableReads.AuditItemsAsync(table, _ct));
        Assert.Equal((at + TimeSpan.FromDays(7)).ToUnixTimeSeconds(), TableReads.Number(item, Attr.Ttl));
        Assert.Equal(at.ToUnixTimeMilliseconds(), TableReads.Number(item, Attr.ChangedAt));
    }

    [Fact]
    public async Task A_full_batch_is_written_in_batch_calls_one_entry_per_record_and_again_unchanged_when_redelivered()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var function = StreamFunctions.CreateAudit(table.Client, table.Options(), _logs.Factory, TimeProvider.System);
        var records = Enumerable.Range(0, 100).Select(_ => StreamEvents.Record("INSERT", null, ProductItem("user:dave"))).ToArray();
        table.Requests.Clear();

        var response = await function.InvokeMeteredAsync(StreamEvents.Payload(records), _ct);
        Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(response.Span));
        var calls = table.Requests.Operations;
        var entries = await TableReads.AuditItemsAsync(table, _ct);

        Assert.Equal(100, entries.Count);
        Assert.All(calls, op => Assert.Equal("BatchWriteItem", op));
        Assert.InRange(calls.Count, 4, 99);

        // The same batch again (Lambda retrying it): the same 100 entries, each exactly as before.
        await function.InvokeMeteredAsync(StreamEvents.Payload(records), _ct);
        var again = await TableReads.AuditItemsAsync(table, _ct);
        Assert.Equal(Describe(entries), Describe(again));
    }

    [Fact]
    public async Task A_redelivered_record_rewrites_its_one_entry_while_the_next_change_in_the_same_second_gets_its_own()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var function = StreamFunctions.CreateAudit(table.Client, table.Options(), _logs.Factory, TimeProvider.System);
        var product = new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3m, Version = 1, LastWriter = "user:carol" };
        var at = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        // Event ids are random; these sort against the stream's order, so only the sequence number orders the two.
        var insert = StreamEvents.Record("INSERT", null, ProductMapper.ToItem(product), at, eventId: "f0", sequenceNumber: "99");
        var update = StreamEvents.Record(
            "MODIFY", ProductMapper.ToItem(product), ProductMapper.ToItem(product with { Price = 4m, Version = 2 }), at, eventId: "0f", sequenceNumber: "100");

        // The insert twice in one batch (a batch can repeat a record), then both again (Lambda retrying the batch).
        await function.InvokeMeteredAsync(StreamEvents.Payload(insert, update, insert), _ct);
        var first = await TableReads.AuditItemsAsync(table, _ct);
        await function.InvokeMeteredAsync(StreamEvents.Payload(insert, update), _ct);

        Assert.Equal(Describe(first), Describe(await TableReads.AuditItemsAsync(table, _ct)));
        var history = await TableReads.HistoryAsync(table, EntityTypes.Product, product.Id, _ct);
        Assert.Equal([(AuditAction.Update, "100"), (AuditAction.Insert, "99")], history.Select(e => (e.Action, e.SequenceNumber!)));
    }

    private static List<string> Describe(IEnumerable<Dictionary<string, AttributeValue>> items) =>
        [.. items.Select(i => string.Join("|", i.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + (a.Value.S ?? a.Value.N)))).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Replaying_the_delivered_batches_twice_adds_no_entry_and_changes_none()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var audit = AuditFunction(table);
        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));
        await using (await Emulation.StartAsync(dynamo, table.Name, [(audit, Emulation.Settings("AuditFunction"))], _ct))
        {
            var created = await users.CreateAsync(TestData.NewUser(), "user:alice", _ct);
            await users.UpdateAsync(created with { Name = "Ada King" }, 1, "user:admin", _ct);
            await WaitForSentinelAsync(table, audit);
        }

        var before = await TableReads.SnapshotAsync(table, _ct);
        foreach (var _ in Enumerable.Range(0, 2))
        {
            foreach (var invocation in audit.Invocations)
            {
                var response = await audit.Function.InvokeMeteredAsync(invocation.Payload, _ct);
                Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(response.Span));
            }
        }

        Assert.Equal(before, await TableReads.SnapshotAsync(table, _ct));
        Assert.Equal(3, (await TableReads.AuditItemsAsync(table, _ct)).Count);
    }

    [Fact]
    public async Task A_poison_record_and_the_records_after_it_are_reported_while_the_other_items_changes_are_audited()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var function = StreamFunctions.CreateAudit(table.Client, table.Options(), _logs.Factory, TimeProvider.System);
        var first = ProductItem("user:carol");
        var poison = CorruptUserItem();
        var last = ProductItem("user:carol");
        var records = new[] { StreamEvents.Record("INSERT", null, first), StreamEvents.Record("INSERT", null, poison), StreamEvents.Record("INSERT", null, last) };

        var response = await function.InvokeMeteredAsync(StreamEvents.Payload(records), _ct);

        using var json = JsonDocument.Parse(response);
        Assert.Equal(
            [records[1].Dynamodb!.SequenceNumber, records[2].Dynamodb!.SequenceNumber],
            json.RootElement.GetProperty("batchItemFailures").EnumerateArray().Select(f => f.GetProperty("itemIdentifier").GetString()));
        // The poison holds back only its own item: the products before and after it are audited (the one after is
        // reported all the same, as Lambda resumes from the poison, and its entry is written once however often).
        Assert.Equal(
            new[] { first[Attr.Id].S, last[Attr.Id].S }.Order(),
            (await TableReads.AuditItemsAsync(table, _ct)).Select(i => i[Attr.RecordId].S).Order());
        // The log says which record and why, and nothing of the item's values.
        Assert.Contains(_logs.Lines, l => l.Level == "ERROR" && l.Message.Contains(records[1].Dynamodb!.SequenceNumber!, StringComparison.Ordinal)
            && l.Message.Contains("not a valid User item", StringComparison.Ordinal));
        Assert.DoesNotContain("poison@example.com", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_poison_record_ends_in_the_on_failure_destination_and_the_shard_moves_on()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var audit = AuditFunction(table);
        var destination = new InMemoryOnFailureDestination();
        var settings = Emulation.Settings("AuditFunction") with { MaximumRetryAttempts = 1 };
        await using var emulation = await Emulation.StartAsync(dynamo, table.Name, [(audit, settings)], _ct, onFailure: destination);

        await table.Admin.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = CorruptUserItem() }, _ct);
        await Eventually.WaitUntilAsync(() => Task.FromResult(destination.Records.Count > 0), "the poison record was given up", _ct);
        var after = await new ProductRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System))
            .CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3m }, "user:carol", _ct);
        await Eventually.WaitUntilAsync(
            async () => (await TableReads.HistoryAsync(table, EntityTypes.Product, after.Id, _ct)).Count == 1, "the next record was audited", _ct);

        var failed = audit.Invocations.Select(i => i.Answer.BatchItemFailures.Select(f => f.ItemIdentifier).ToList()).Where(f => f.Count > 0).ToList();
        Assert.Equal(2, failed.Count); // the first delivery and its one retry
        var poisonSequence = Assert.Single(failed.Distinct(new ListComparer()).Single());
        var given = Assert.Single(destination.Records);
        Assert.Equal(poisonSequence, given.DdbStreamBatchInfo!.StartSequenceNumber);
    }

    [Fact]
    public async Task Another_items_change_in_a_poison_records_batch_is_audited_once_and_the_batch_is_given_up_after_its_retries()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var audit = AuditFunction(table);
        var destination = new InMemoryOnFailureDestination();
        // Both changes are on the stream before the mapping starts, so they arrive in one batch, the poison first.
        await table.Admin.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = CorruptUserItem() }, _ct);
        var neighbour = new Product { Id = Guid.NewGuid(), Name = "Coffee", Price = 4m, Version = 1, LastWriter = "user:dave" };
        await table.Admin.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = ProductMapper.ToItem(neighbour) }, _ct);
        var settings = Emulation.Settings("AuditFunction") with { MaximumRetryAttempts = 2 };
        await using var emulation = await Emulation.StartAsync(dynamo, table.Name, [(audit, settings)], _ct, onFailure: destination);

        await Eventually.WaitUntilAsync(() => Task.FromResult(destination.Records.Count > 0), "the poison's batch was given up", _ct);
        var after = await new ProductRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System))
            .CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3m }, "user:carol", _ct);
        await Eventually.WaitUntilAsync(
            async () => (await TableReads.HistoryAsync(table, EntityTypes.Product, after.Id, _ct)).Count == 1, "the next record was audited", _ct);

        Assert.Equal(2, audit.Invocations[0].Event.Records.Count);
        // Delivered three times (the first try and two retries), each answered with both records as not done...
        var answers = audit.Invocations.Where(i => i.Answer.BatchItemFailures.Count > 0).ToList();
        Assert.Equal(3, answers.Count);
        Assert.All(answers, a => Assert.Equal(2, a.Answer.BatchItemFailures.Count));
        // ...yet the neighbour's change was audited meanwhile, and exactly once.
        var entry = Assert.Single(await TableReads.HistoryAsync(table, EntityTypes.Product, neighbour.Id, _ct));
        Assert.Equal("user:dave", entry.ChangedBy);
        var given = Assert.Single(destination.Records);
        Assert.Equal(2, given.DdbStreamBatchInfo!.BatchSize);
    }

    private RecordedFunction AuditFunction(TestTable table) =>
        new(StreamFunctions.CreateAudit(table.Client, table.Options(), _logs.Factory, TimeProvider.System));

    /// <summary>
    /// Writes one more change and waits until the batch that carried it was answered: the stream delivers in order,
    /// so every change made before it has been handled by then, and "exactly these entries" can be checked.
    /// </summary>
    private async Task WaitForSentinelAsync(TestTable table, RecordedFunction audit)
    {
        var sentinel = await new ProductRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System))
            .CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Sentinel", Price = 1m }, "test:sentinel", _ct);
        await Eventually.WaitUntilAsync(
            () => Task.FromResult(audit.HasAnswered(Keys.Product(sentinel.Id).PK)), "the sentinel's batch was answered", _ct);
        Assert.Single(await TableReads.HistoryAsync(table, EntityTypes.Product, sentinel.Id, _ct));
    }

    private static Dictionary<string, AttributeValue> ProductItem(string writer) =>
        ProductMapper.ToItem(new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3.5m, Version = 1, LastWriter = writer });

    /// <summary>A User item missing its required name: the data layer cannot read it, so no function can handle it.</summary>
    private static Dictionary<string, AttributeValue> CorruptUserItem()
    {
        var item = UserMapper.ToItem(TestData.NewUser(email: "poison@example.com") with { Version = 1, LastWriter = "user:mallory" }, 1);
        item.Remove(Attr.Name);
        return item;
    }

    private static long VersionOf(AuditEntry entry)
    {
        using var json = JsonDocument.Parse(entry.NewValues ?? entry.OldValues!);
        return json.RootElement.GetProperty("version").GetInt64();
    }

    private static string? Value(string? values, string name)
    {
        using var json = JsonDocument.Parse(values!);
        return json.RootElement.GetProperty(name).GetString();
    }

    public void Dispose() => _logs.Dispose();

    private sealed class ListComparer : IEqualityComparer<List<string?>>
    {
        public bool Equals(List<string?>? x, List<string?>? y) => x!.SequenceEqual(y!);

        public int GetHashCode(List<string?> obj) => obj.Count;
    }
}
