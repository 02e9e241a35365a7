using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Comments;
using Serverless.Data.Orders;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Audit;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Roles;
using Serverless.Domain.Users;
using Serverless.Local.Ttl;
using Serverless.Streams.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Streams.Tests.Purge;

/// <summary>
/// The purge cascade end to end: soft delete, the retention ends (the local TTL sweeper, its clock moved past the
/// purge time), the TTL REMOVE reaches the purge and audit functions through the local event source mapping.
/// </summary>
public sealed class PurgeFunctionTests(DynamoDbLocalFixture dynamo) : IDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task A_ttl_purge_leaves_nothing_of_the_user_but_audit_entries_that_end_with_delete_by_system_ttl()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var (user, order, role) = await UserWithEverythingAsync(table);
        var current = (await Users(table).GetAsync(user.Id, _ct))!;
        await Users(table).DeleteAsync(user.Id, current.Version, "user:alice", _ct);

        var ttlDeletions = new TtlDeletionLog();
        var purge = new RecordedFunction(StreamFunctions.CreatePurge(table.Client, table.Options(), _logs.Factory, TimeProvider.System));
        var audit = new RecordedFunction(StreamFunctions.CreateAudit(table.Client, table.Options(), _logs.Factory, TimeProvider.System));
        await using var emulation = await Emulation.StartAsync(
            dynamo, table.Name, [(purge, Emulation.Settings("PurgeFunction")), (audit, Emulation.Settings("AuditFunction"))], _ct, ttlDeletions);
        var sweeper = new TtlSweeper(dynamo.Client, new TtlSweeperOptions { TableNames = [table.Name] }, ttlDeletions, new ShiftedClock(TimeSpan.FromDays(31)));

        // The user item and its email marker carry the retention's ttl; nothing else of the user expires by itself.
        Assert.Equal(2, await sweeper.SweepOnceAsync(_ct));

        await Eventually.WaitUntilAsync(
            async () => (await RemainsOfAsync(table, user)).Count == 0
                && (await TableReads.HistoryAsync(table, EntityTypes.User, user.Id, _ct)).Any(e => e.Action == AuditAction.Delete)
                && (await TableReads.HistoryAsync(table, EntityTypes.Order, order.Id, _ct)).Any(e => e.Action == AuditAction.Delete),
            "the user is purged and audited", _ct, TimeSpan.FromMinutes(2));

        var history = (await TableReads.HistoryAsync(table, EntityTypes.User, user.Id, _ct)).OrderBy(VersionOf).ThenBy(e => e.Action).ToList();
        Assert.Equal([AuditAction.Insert, AuditAction.Update, AuditAction.Delete], history.Select(e => e.Action));
        Assert.Equal(["user:alice", "user:alice", "system:ttl"], history.Select(e => e.ChangedBy));
        Assert.Null(history[2].NewValues);
        Assert.Contains("\"status\":\"deleted\"", history[2].OldValues, StringComparison.Ordinal);
        // What was not the user's stays: the role (with its name marker) and the product.
        var left = (await table.AllItemsAsync(_ct)).Select(i => i[Attr.EntityType].S).Where(t => t != EntityTypes.AuditEntry).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([EntityTypes.Product, EntityTypes.Role, EntityTypes.RoleNameMarker], left);

        // Redelivered, the TTL record finds nothing left to delete and succeeds without changing anything. The
        // audit of the cascade's own deletions must be complete first: a later change's entry marks the point
        // (one shard, in order), and the mapping is stopped so the snapshot holds still.
        var sentinel = await new ProductRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System))
            .CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Sentinel", Price = 1m }, "test:sentinel", _ct);
        await Eventually.WaitUntilAsync(
            () => Task.FromResult(audit.HasAnswered(Keys.Product(sentinel.Id).PK) && purge.HasAnswered(Keys.UserPartition(user.Id))),
            "the sentinel's audit batch and the purge's batch were answered", _ct);
        await emulation.DisposeAsync();
        // The cascade's deletions are audited too (by the last writer of what they removed; see docs/stream-events.md).
        Assert.Contains(await TableReads.HistoryAsync(table, EntityTypes.UserRole, $"{user.Id:D}/{role.Id:D}", _ct), e => e.Action == AuditAction.Delete);
        var before = await TableReads.SnapshotAsync(table, _ct);
        var ttlRecord = purge.Records.Single(r => r.UserIdentity?.IsTimeToLiveDeletion == true && r.Dynamodb!.Keys![Attr.PK].S == Keys.UserPartition(user.Id));
        var replay = await purge.Function.InvokeMeteredAsync(StreamEvents.Payload(ttlRecord), _ct);
        Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(replay.Span));
        Assert.Equal(before, await TableReads.SnapshotAsync(table, _ct));
    }

    [Fact]
    public async Task A_user_removed_by_a_caller_rather_than_by_ttl_is_not_purged()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var (user, order, _) = await UserWithEverythingAsync(table);
        var purge = new RecordedFunction(StreamFunctions.CreatePurge(table.Client, table.Options(), _logs.Factory, TimeProvider.System));
        await using var emulation = await Emulation.StartAsync(dynamo, table.Name, [(purge, Emulation.Settings("PurgeFunction"))], _ct, new TtlDeletionLog());

        await table.Admin.DeleteItemAsync(new DeleteItemRequest { TableName = table.Name, Key = Keys.User(user.Id).ToAttributes() }, _ct);
        await Eventually.WaitUntilAsync(
            () => Task.FromResult(purge.Records.Any(r => r.EventName == "REMOVE" && r.Dynamodb!.Keys![Attr.SK].S == KeyPrefix.ProfileSort)),
            "the purge function saw the removal", _ct);

        Assert.NotNull(await new OrderRepository(new TableAccess(table.Admin, table.Options(), TimeProvider.System)).GetAsync(order.Id, _ct));
        Assert.All(purge.Invocations, i => Assert.Empty(i.Answer.BatchItemFailures));
        Assert.Contains(_logs.Lines, l => l.Message.Contains("removed by a caller, not by TTL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_ttl_removal_of_a_user_that_was_not_soft_deleted_is_not_purged()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var (user, order, _) = await UserWithEverythingAsync(table);
        var active = (await Users(table).GetAsync(user.Id, _ct))!;
        await table.Admin.DeleteItemAsync(new DeleteItemRequest { TableName = table.Name, Key = Keys.User(user.Id).ToAttributes() }, _ct);
        var function = StreamFunctions.CreatePurge(table.Client, table.Options(), _logs.Factory, TimeProvider.System);

        var response = await function.InvokeMeteredAsync(
            StreamEvents.Payload(StreamEvents.Record("REMOVE", UserMapper.ToItem(active, 1), null, timeToLive: true)), _ct);

        Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(response.Span));
        Assert.NotNull(await new OrderRepository(new TableAccess(table.Admin, table.Options(), TimeProvider.System)).GetAsync(order.Id, _ct));
        Assert.Contains(_logs.Lines, l => l.Level == "WARN" && l.Message.Contains("not deleted; no purge", StringComparison.Ordinal));
    }

    /// <summary>A user with addresses and a name (index items), a role, an order with a line, and a comment on the user.</summary>
    private async Task<(User User, Order Order, Role Role)> UserWithEverythingAsync(TestTable table)
    {
        var user = await Users(table).CreateAsync(TestData.NewUser(), "user:alice", _ct);
        var roles = new RoleRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));
        var role = await roles.CreateAsync(new Role { Id = Guid.NewGuid(), Name = "auditor" }, "user:root", _ct);
        await roles.AssignAsync(user.Id, role.Id, "user:root", _ct);
        var product = await new ProductRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System))
            .CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3.5m }, "user:root", _ct);
        var line = new OrderItem { ProductId = product.Id, ProductName = product.Name, Quantity = 2, UnitPrice = product.Price };
        var order = await new OrderRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System)).CreateAsync(
            new Order
            {
                Id = Guid.NewGuid(),
                UserId = user.Id,
                UserEmail = user.Email,
                UserName = user.Name,
                UserVersion = user.Version,
                Items = [line],
                Total = line.LineTotal,
            },
            "user:alice",
            _ct);
        await new CommentRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System)).AddAsync(
            new Comment { Id = Guid.NewGuid(), TargetType = CommentTarget.User, TargetId = user.Id, Content = "Welcome!" }, "user:bob", _ct);
        return (user, order, role);
    }

    private static UserRepository Users(TestTable table) => new(new TableAccess(table.Client, table.Options(), TimeProvider.System));

    /// <summary>Every item that still belongs to the user: in its partition, naming it, or its email marker.</summary>
    private async Task<List<string>> RemainsOfAsync(TestTable table, User user)
    {
        var id = user.Id.ToString("D");
        var marker = Keys.EmailMarker(EmailAddress.Normalize(user.Email)).PK;
        return [.. (await table.AllItemsAsync(_ct))
            .Where(i => i[Attr.EntityType].S != EntityTypes.AuditEntry)
            .Where(i => i[Attr.PK].S.Contains(id, StringComparison.Ordinal) || i[Attr.PK].S == marker
                || i.GetValueOrDefault(Attr.UserId)?.S == id || i.GetValueOrDefault(Attr.TargetId)?.S == id)
            .Select(i => i[Attr.PK].S + " / " + i[Attr.SK].S)];
    }

    private static long VersionOf(AuditEntry entry)
    {
        using var json = JsonDocument.Parse(entry.NewValues ?? entry.OldValues!);
        return json.RootElement.GetProperty("version").GetInt64();
    }

    public void Dispose() => _logs.Dispose();
}
