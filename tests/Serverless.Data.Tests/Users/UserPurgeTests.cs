using Serverless.Data.Privacy;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Data.Users;
using Serverless.Data.Writing;
using Serverless.Domain.Audit;
using Serverless.Domain.Comments;
using Serverless.Domain.Roles;
using Serverless.Domain.Users;
using Serverless.Testing;

namespace Serverless.Data.Tests.Users;

public sealed class UserPurgeTests(DynamoDbLocalFixture fixture) : IAsyncLifetime
{
    // More than one round of orders (25) and more than one BatchWriteItem (25 keys) of lines.
    private const int DoomedOrders = 30;

    private DataScope _data = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private KeyringSnapshot _keys = null!;

    public async ValueTask InitializeAsync()
    {
        _data = await DataScope.CreateAsync(fixture);
        _keys = await _data.Access.Privacy.KeysAsync(Ct);
    }

    public ValueTask DisposeAsync() => _data.DisposeAsync();

    [Fact]
    public async Task Purging_an_expired_user_leaves_nothing_of_it_but_its_audit_entries_and_touches_no_one_else()
    {
        var world = await BuildAsync();
        await ExpireByTtlAsync(world.Doomed);
        var before = await _data.AllItemsAsync();
        _data.Table.Requests.Clear();

        var report = await _data.Purge.PurgeAsync(world.Doomed.Id, MarkerOf(world.Doomed), Ct);

        Assert.DoesNotContain("Scan", _data.Requests);
        Assert.Contains("BatchWriteItem", _data.Requests);
        Assert.Equal(
            new PurgeReport { Orders = DoomedOrders, OrderItems = 2 * DoomedOrders, RoleLinks = 2, NameWords = 1, Comments = 3, EmailMarkerDeleted = true, KeyDeleted = true },
            report);

        var after = await _data.AllItemsAsync();
        Assert.DoesNotContain(after, i => BelongsTo(world, i));
        Assert.Equal(before.Where(i => !BelongsTo(world, i)).Select(Describe).Order(), after.Select(Describe).Order());
        // The audit trail outlives the user: it has its own retention.
        Assert.Equal(
            [Keys.AuditPartition("Order", world.FirstOrderId.ToString("D")), Keys.AuditPartition("User", world.Doomed.Id.ToString("D"))],
            after.Where(i => i[Attr.EntityType].S == EntityTypes.AuditEntry).Select(i => i[Attr.PK].S).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Purging_twice_deletes_nothing_more_the_second_time()
    {
        var world = await BuildAsync();
        await ExpireByTtlAsync(world.Doomed);
        await _data.Purge.PurgeAsync(world.Doomed.Id, MarkerOf(world.Doomed), Ct);
        var afterFirst = (await _data.AllItemsAsync()).Select(Describe).Order().ToList();

        var second = await _data.Purge.PurgeAsync(world.Doomed.Id, MarkerOf(world.Doomed), Ct);

        Assert.Equal(new PurgeReport(), second);
        Assert.Equal(afterFirst, (await _data.AllItemsAsync()).Select(Describe).Order());
    }

    [Fact]
    public async Task An_active_user_or_one_still_within_its_retention_is_never_purged()
    {
        var world = await BuildAsync();
        var active = world.Survivor;
        var before = (await _data.AllItemsAsync()).Select(Describe).Order().ToList();
        // Soft-deleted (by BuildAsync) but the retention has 30 days left: it can still be restored.
        _data.Clock.Set(DataScope.Start.AddDays(29));

        Assert.True((await _data.Purge.PurgeAsync(active.Id, MarkerOf(active), Ct)).SkippedUserIsLive);
        Assert.True((await _data.Purge.PurgeAsync(world.Doomed.Id, MarkerOf(world.Doomed), Ct)).SkippedUserIsLive);

        Assert.Equal(before, (await _data.AllItemsAsync()).Select(Describe).Order());
    }

    [Fact]
    public async Task An_expired_user_item_that_TTL_has_not_removed_yet_is_purged_too_and_its_email_found_on_it()
    {
        var world = await BuildAsync();
        _data.Clock.Set(DataScope.Start.AddDays(31));

        var report = await _data.Purge.PurgeAsync(world.Doomed.Id, markerToken: null, Ct);

        Assert.True(report.UserItemDeleted);
        Assert.True(report.EmailMarkerDeleted);
        Assert.DoesNotContain(await _data.AllItemsAsync(), i => BelongsTo(world, i));
    }

    [Fact]
    public async Task An_email_marker_taken_by_a_new_user_after_expiry_is_left_to_its_new_owner()
    {
        var world = await BuildAsync();
        await ExpireByTtlAsync(world.Doomed);
        // The old marker expired with the user, so the address is free for someone else before the purge runs.
        var newcomer = await _data.Users.CreateAsync(world.Doomed with { Id = Guid.NewGuid(), Status = UserStatus.Active }, "user:new", Ct);

        var report = await _data.Purge.PurgeAsync(world.Doomed.Id, MarkerOf(world.Doomed), Ct);

        Assert.False(report.EmailMarkerDeleted);
        Assert.Equal(newcomer.Id, (await _data.Users.GetByEmailAsync(world.Doomed.Email, Ct))?.Id);
    }

    [Fact]
    public async Task Deletes_left_unprocessed_by_BatchWriteItem_are_sent_again_until_all_are_done()
    {
        var world = await BuildAsync();
        await ExpireByTtlAsync(world.Doomed);
        var (client, proxy) = UnprocessedBatchWrites.Wrap(_data.Table.Client, throttledCalls: 6);
        var purge = new UserPurge(new TableAccess(client, _data.Table.Options(), _data.Clock));

        var report = await purge.PurgeAsync(world.Doomed.Id, MarkerOf(world.Doomed), Ct);

        Assert.Equal(DoomedOrders, report.Orders);
        Assert.DoesNotContain(await _data.AllItemsAsync(), i => BelongsTo(world, i));
        // Unthrottled it takes 6 calls (round 1: 50 lines in 2, 25 headers in 1; round 2: lines, headers; the user's
        // partition); each throttled call leaves most of its batch to be sent again, so at least one more call each.
        Assert.True(proxy.BatchWriteCalls >= 6 + 6, $"only {proxy.BatchWriteCalls} BatchWriteItem calls");
    }

    [Fact]
    public async Task A_batch_that_stays_unprocessed_gives_up_after_the_attempt_limit_with_an_error()
    {
        var (client, proxy) = UnprocessedBatchWrites.Wrap(_data.Table.Client, throttledCalls: int.MaxValue);
        var deleter = new BatchWriter(client, UserPurge.DeleteOptions, TimeProvider.System);
        ItemKey[] keys = [new("A", "1"), new("A", "2"), new("A", "3")];

        await Assert.ThrowsAsync<BatchWriteException>(() => deleter.DeleteAllAsync(_data.Table.Name, keys, Ct));

        Assert.Equal(UserPurge.DeleteOptions.Retry.MaxAttempts, proxy.BatchWriteCalls);
    }

    /// <summary>
    /// A doomed user (soft-deleted at the start; purgeable after 30 days) with orders, roles, comments on it, a stray
    /// word item, audit entries, and a comment it wrote on a product; and a survivor sharing products, roles, name
    /// word and city with it, whose data must all stay.
    /// </summary>
    private async Task<World> BuildAsync()
    {
        var (anvil, bellows) = (await _data.NewProductAsync("Anvil", 10m), await _data.NewProductAsync("Bellows", 4m));
        var (admin, editor) = (
            await _data.Roles.CreateAsync(new Role { Id = Guid.NewGuid(), Name = "Admin" }, "t", Ct),
            await _data.Roles.CreateAsync(new Role { Id = Guid.NewGuid(), Name = "Editor" }, "t", Ct));
        var doomed = await _data.NewUserAsync("Ada Lovelace", "London");
        var survivor = await _data.NewUserAsync("Ada Byron", "London");

        var doomedOrders = new List<Guid>();
        for (var i = 0; i < DoomedOrders; i++)
        {
            doomedOrders.Add((await _data.PlaceOrderAsync(doomed, DataScope.Start.AddMinutes(-i), anvil, bellows)).Id);
        }

        await _data.PlaceOrderAsync(survivor, DataScope.Start, anvil, bellows);
        await _data.PlaceOrderAsync(survivor, DataScope.Start.AddMinutes(1), anvil);
        foreach (var user in new[] { doomed, survivor })
        {
            await _data.Roles.AssignAsync(user.Id, admin.Id, "t", Ct);
            await _data.Roles.AssignAsync(user.Id, editor.Id, "t", Ct);
            for (var i = 0; i < 3; i++)
            {
                _data.Clock.Advance(TimeSpan.FromMilliseconds(1));
                await _data.Comments.AddAsync(new Comment { Id = Guid.NewGuid(), TargetType = CommentTarget.User, TargetId = user.Id, Content = "hi" }, "t", Ct);
            }
        }

        // Written by the doomed user about a product: the seed's comments have no author, so it stays.
        await _data.Comments.AddAsync(new Comment { Id = Guid.NewGuid(), TargetType = CommentTarget.Product, TargetId = anvil.Id, AuthorId = doomed.Id, Content = "Heavy." }, "t", Ct);
        await _data.Audit.WriteAsync(AuditOf("User", doomed.Id.ToString("D")), Ct);
        await _data.Audit.WriteAsync(AuditOf("Order", doomedOrders[0].ToString("D")) with { NewValues = $$"""{"userId":"{{doomed.Id:D}}"}""" }, Ct);

        _data.Clock.Set(DataScope.Start);
        var deleted = await _data.Users.DeleteAsync(doomed.Id, doomed.Version, "user:admin", Ct);
        // An index item an interrupted write could have left behind; the purge must not depend on the soft delete's cleanup.
        await _data.Table.Admin.PutItemAsync(new PutItemRequest { TableName = _data.Table.Name, Item = UserIndexItemMapper.Word(doomed, "ada") }, Ct);
        return new World(deleted, survivor, doomedOrders[0], [.. doomedOrders.Select(Keys.OrderPartition)]);
    }

    private static AuditEntry AuditOf(string entityType, string recordId) => new()
    {
        EntityType = entityType,
        RecordId = recordId,
        Action = AuditAction.Insert,
        ChangedBy = "user:test",
        ChangedAt = DataScope.Start,
        NewValues = "{}",
        EventId = Guid.NewGuid().ToString("N"),
        SequenceNumber = "1",
    };

    /// <summary>What DynamoDB's TTL does once the retention has passed: the user item goes; nothing else does.</summary>
    private async Task ExpireByTtlAsync(User user)
    {
        _data.Clock.Set(user.PurgeAfter!.Value.AddDays(1));
        await _data.Table.Admin.DeleteItemAsync(new DeleteItemRequest { TableName = _data.Table.Name, Key = Keys.User(user.Id).ToAttributes() }, Ct);
    }

    /// <summary>Any item that is the doomed user's own (its partition, its orders, its marker, anything indexed under it); audit entries are not.</summary>
    private static bool BelongsTo(World world, Dictionary<string, AttributeValue> item)
    {
        var pk = item[Attr.PK].S;
        return pk == Keys.UserPartition(world.Doomed.Id)
            || world.OrderPartitions.Contains(pk)
            || item.GetValueOrDefault(Attr.Gsi1PK)?.S == IndexKeys.OrdersOfUser(world.Doomed.Id)
            || (item.GetValueOrDefault(Attr.UserId)?.S == world.Doomed.Id.ToString("D") && item[Attr.EntityType].S != EntityTypes.AuditEntry);
    }

    private static string Describe(Dictionary<string, AttributeValue> item) =>
        $"{item[Attr.PK].S} | {item[Attr.SK].S} | {item.GetValueOrDefault(Attr.Version)?.N} | {item.GetValueOrDefault(Attr.LastWriter)?.S}";

    /// <summary>The user's email marker token, as the purge function reads it from the removed item.</summary>
    private string MarkerOf(User user) => UserProtection.EmailToken(_keys, _keys.ActiveBlind, user.Email);

    private sealed record World(User Doomed, User Survivor, Guid FirstOrderId, HashSet<string> OrderPartitions);
}
