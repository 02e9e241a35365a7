using Serverless.Data.Items;
using Serverless.Data.Paging;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Domain;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Users;
using Serverless.Testing;

namespace Serverless.Data.Tests.Orders;

public sealed class OrderRepositoryTests(DynamoDbLocalFixture fixture) : IAsyncLifetime
{
    private DataScope _data = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _data = await DataScope.CreateAsync(fixture);

    public ValueTask DisposeAsync() => _data.DisposeAsync();

    [Fact]
    public async Task Creating_an_order_writes_header_and_lines_in_one_transaction_and_reads_back_whole_in_one_query()
    {
        var user = await _data.NewUserAsync();
        var (a, b) = (await _data.NewProductAsync("Anvil", 12.50m), await _data.NewProductAsync("Bellows", 3.25m));
        _data.Table.Requests.Clear();

        var created = await _data.Orders.CreateAsync(DataScope.OrderFor(user, default, a, b), "user:grace", Ct);

        Assert.Equal(["BatchGetItem", "TransactWriteItems"], _data.Requests);
        Assert.Equal(1, created.Version);
        Assert.Equal("user:grace", created.LastWriter);
        Assert.Equal(DataScope.Start, created.OrderedAt);
        Assert.Equal(12.50m + (2 * 3.25m), created.Total);

        _data.Table.Requests.Clear();
        var read = await _data.Orders.GetAsync(created.Id, Ct);
        Assert.Equal(["Query"], _data.Requests);
        Assert.NotNull(read);
        Assert.Equal(created with { Items = [] }, read with { Items = [] });
        Assert.Equal(created.Items.OrderBy(i => i.ProductId), read.Items.OrderBy(i => i.ProductId));

        var stored = (await _data.AllItemsAsync()).Where(i => i[Attr.PK].S == Keys.OrderPartition(created.Id)).ToList();
        Assert.Equal(1, stored.Count(i => i[Attr.EntityType].S == EntityTypes.Order));
        Assert.Equal(2, stored.Count(i => i[Attr.EntityType].S == EntityTypes.OrderItem));
    }

    [Fact]
    public async Task An_order_that_does_not_exist_reads_as_null()
    {
        Assert.Null(await _data.Orders.GetAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task A_users_orders_come_newest_first_and_the_pages_walk_every_order_exactly_once_without_a_scan()
    {
        var user = await _data.NewUserAsync();
        var other = await _data.NewUserAsync("Someone Else");
        var product = await _data.NewProductAsync();
        // Placed out of time order, two in the same millisecond: the id breaks the tie, so the order stays total.
        int[] minutes = [5, 1, 9, 3, 7, 3, 0];
        var placed = new List<Order>();
        foreach (var m in minutes)
        {
            placed.Add(await _data.PlaceOrderAsync(user, DataScope.Start.AddMinutes(m), product));
        }

        await _data.PlaceOrderAsync(other, DataScope.Start.AddMinutes(4), product);
        _data.Table.Requests.Clear();

        var pages = await DataScope.AllPagesAsync(p => _data.Orders.ListByUserAsync(user.Id, p, Ct), limit: 3);

        var listed = pages.SelectMany(p => p).ToList();
        var expected = placed.OrderByDescending(o => o.OrderedAt).ThenByDescending(o => o.Id.ToString("D"), StringComparer.Ordinal).Select(o => o.Id);
        Assert.Equal(expected, listed.Select(o => o.Id));
        Assert.All(pages, p => Assert.True(p.Count <= 3));
        Assert.All(listed, o => Assert.Empty(o.Items));
        Assert.All(_data.Requests, op => Assert.Equal("Query", op));
    }

    [Fact]
    public async Task Orders_containing_a_product_come_newest_first_with_that_products_line_and_pages_walk_each_once()
    {
        var user = await _data.NewUserAsync();
        var (wanted, unrelated) = (await _data.NewProductAsync("Wanted", 2m), await _data.NewProductAsync("Unrelated", 5m));
        var withIt = new List<Order>();
        for (var i = 0; i < 5; i++)
        {
            withIt.Add(await _data.PlaceOrderAsync(user, DataScope.Start.AddHours(-i), unrelated, wanted));
        }

        await _data.PlaceOrderAsync(user, DataScope.Start.AddHours(1), unrelated);
        _data.Table.Requests.Clear();

        var pages = await DataScope.AllPagesAsync(p => _data.Orders.ListByProductAsync(wanted.Id, p, Ct), limit: 2);

        var listed = pages.SelectMany(p => p).ToList();
        Assert.Equal(withIt.Select(o => o.Id), listed.Select(l => l.OrderId));
        Assert.All(listed, l => Assert.Equal((wanted.Id, 2, 2m, user.Id), (l.Item.ProductId, l.Item.Quantity, l.Item.UnitPrice, l.UserId)));
        Assert.Equal(3, pages.Count);
        Assert.All(_data.Requests, op => Assert.Equal("Query", op));
    }

    [Fact]
    public async Task The_order_ids_of_a_user_are_listed_each_exactly_once_from_the_index_alone()
    {
        var user = await _data.NewUserAsync();
        var product = await _data.NewProductAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await _data.PlaceOrderAsync(user, DataScope.Start.AddSeconds(i), product)).Id);
        }

        _data.Table.Requests.Clear();
        var pages = await DataScope.AllPagesAsync(p => _data.Orders.ListOrderIdsOfUserAsync(user.Id, p, Ct), limit: 5);

        Assert.Equal(Enumerable.Reverse(ids), pages.SelectMany(p => p));
        Assert.Equal([5, 5, 2], pages.Select(p => p.Count));
        Assert.All(_data.Requests, op => Assert.Equal("Query", op));
    }

    [Fact]
    public async Task A_cursor_that_was_altered_or_issued_for_another_user_is_rejected()
    {
        var (user, other) = (await _data.NewUserAsync(), await _data.NewUserAsync());
        var product = await _data.NewProductAsync();
        await _data.PlaceOrderAsync(user, DataScope.Start, product);
        await _data.PlaceOrderAsync(user, DataScope.Start.AddMinutes(1), product);
        var cursor = (await _data.Orders.ListByUserAsync(user.Id, new PageRequest(1), Ct)).NextCursor;
        Assert.NotNull(cursor);

        await Assert.ThrowsAsync<InvalidCursorException>(() => _data.Orders.ListByUserAsync(other.Id, new PageRequest(1, cursor), Ct));
        await Assert.ThrowsAsync<InvalidCursorException>(() => _data.Orders.ListOrderIdsOfUserAsync(user.Id, new PageRequest(1, cursor), Ct));
        var tampered = (cursor[0] == 'A' ? "B" : "A") + cursor[1..];
        await Assert.ThrowsAsync<InvalidCursorException>(() => _data.Orders.ListByUserAsync(user.Id, new PageRequest(1, tampered), Ct));
    }

    [Fact]
    public async Task An_order_breaking_a_rule_is_rejected_and_nothing_is_written()
    {
        var user = await _data.NewUserAsync();
        var product = await _data.NewProductAsync();
        var before = (await _data.AllItemsAsync()).Count;
        var valid = DataScope.OrderFor(user, DataScope.Start, product);

        var wrongTotal = await Assert.ThrowsAsync<ValidationException>(() => _data.Orders.CreateAsync(valid with { Total = valid.Total + 1 }, "t", Ct));
        Assert.Contains(wrongTotal.Errors, e => e.Field == "total");
        var noItems = await Assert.ThrowsAsync<ValidationException>(() => _data.Orders.CreateAsync(valid with { Items = [], Total = 0 }, "t", Ct));
        Assert.Contains(noItems.Errors, e => e.Field == "items");
        var badEmail = await Assert.ThrowsAsync<ValidationException>(() => _data.Orders.CreateAsync(valid with { UserEmail = "not-an-email" }, "t", Ct));
        Assert.Contains(badEmail.Errors, e => e.Field == "userEmail");
        var noVersion = await Assert.ThrowsAsync<ValidationException>(() => _data.Orders.CreateAsync(valid with { UserVersion = 0 }, "t", Ct));
        Assert.Contains(noVersion.Errors, e => e.Field == "userVersion");
        var ghost = new Product { Id = Guid.NewGuid(), Name = "Ghost", Price = 1m };
        var unknownProduct = await Assert.ThrowsAsync<ValidationException>(() => _data.Orders.CreateAsync(DataScope.OrderFor(user, DataScope.Start, product, ghost), "t", Ct));
        Assert.Equal("items[1].productId", Assert.Single(unknownProduct.Errors).Field);

        Assert.Equal(before, (await _data.AllItemsAsync()).Count);
    }

    [Fact]
    public async Task An_order_for_a_missing_or_deleted_user_is_not_found_and_for_a_changed_user_conflicts_and_nothing_is_written()
    {
        var product = await _data.NewProductAsync();
        var user = await _data.NewUserAsync();
        var ghost = user with { Id = Guid.NewGuid() };
        var deleted = await _data.NewUserAsync();
        await _data.Users.DeleteAsync(deleted.Id, deleted.Version, "t", Ct);
        var renamed = await _data.Users.UpdateAsync(user with { Name = "Grace B. Hopper" }, user.Version, "t", Ct);
        var before = (await _data.AllItemsAsync()).Count;

        var missing = await Assert.ThrowsAsync<NotFoundException>(() => _data.PlaceOrderAsync(ghost, DataScope.Start, product));
        Assert.Equal("User", missing.Entity);
        await Assert.ThrowsAsync<NotFoundException>(() => _data.PlaceOrderAsync(deleted, DataScope.Start, product));
        // Read at version 1, the user is at 2 now: the copied name is already stale.
        var stale = await Assert.ThrowsAsync<ConflictException>(() => _data.PlaceOrderAsync(user, DataScope.Start, product));
        Assert.Equal("userVersion", stale.Field);
        Assert.Equal(before, (await _data.AllItemsAsync()).Count);

        var placed = await _data.PlaceOrderAsync(renamed, DataScope.Start, product);
        Assert.Equal("Grace B. Hopper", placed.UserName);
    }

    [Fact]
    public async Task An_order_walks_its_lifecycle_one_allowed_step_at_a_time_each_step_a_new_version()
    {
        var order = await _data.PlaceOrderAsync(await _data.NewUserAsync(), DataScope.Start, await _data.NewProductAsync());

        _data.Clock.Advance(TimeSpan.FromMinutes(1));
        var processing = await _data.Orders.UpdateStatusAsync(order.Id, OrderStatus.Processing, 1, "user:ops", Ct);
        var shipped = await _data.Orders.UpdateStatusAsync(order.Id, OrderStatus.Shipped, 2, "user:ops", Ct);
        var delivered = await _data.Orders.UpdateStatusAsync(order.Id, OrderStatus.Delivered, 3, "user:courier", Ct);

        Assert.Equal((OrderStatus.Processing, 2L), (processing.Status, processing.Version));
        Assert.Equal((OrderStatus.Shipped, 3L), (shipped.Status, shipped.Version));
        var stored = await _data.Orders.GetAsync(order.Id, Ct);
        Assert.NotNull(stored);
        Assert.Equal(delivered with { Items = [] }, stored with { Items = [] });
        Assert.Equal((OrderStatus.Delivered, 4L, "user:courier"), (stored.Status, stored.Version, stored.LastWriter));
        Assert.Equal(DataScope.Start.AddMinutes(1), stored.UpdatedAt);
        Assert.Equal(order.Items.Count, stored.Items.Count);
    }

    [Fact]
    public async Task A_status_change_with_a_stale_version_fails_and_changes_nothing()
    {
        var order = await _data.PlaceOrderAsync(await _data.NewUserAsync(), DataScope.Start, await _data.NewProductAsync());
        await _data.Orders.UpdateStatusAsync(order.Id, OrderStatus.Processing, 1, "user:a", Ct);

        var stale = await Assert.ThrowsAsync<ConcurrencyException>(() => _data.Orders.UpdateStatusAsync(order.Id, OrderStatus.Cancelled, 1, "user:b", Ct));

        Assert.Equal(1, stale.ExpectedVersion);
        var stored = await _data.Orders.GetAsync(order.Id, Ct);
        Assert.Equal((OrderStatus.Processing, 2L, "user:a"), (stored!.Status, stored.Version, stored.LastWriter));
    }

    [Fact]
    public async Task A_step_the_lifecycle_does_not_allow_conflicts_and_changes_nothing()
    {
        var order = await _data.PlaceOrderAsync(await _data.NewUserAsync(), DataScope.Start, await _data.NewProductAsync());
        await _data.Orders.UpdateStatusAsync(order.Id, OrderStatus.Processing, 1, "t", Ct);
        await _data.Orders.UpdateStatusAsync(order.Id, OrderStatus.Shipped, 2, "t", Ct);

        var refused = await Assert.ThrowsAsync<ConflictException>(() => _data.Orders.UpdateStatusAsync(order.Id, OrderStatus.Cancelled, 3, "t", Ct));

        Assert.Equal("status", refused.Field);
        var stored = await _data.Orders.GetAsync(order.Id, Ct);
        Assert.Equal((OrderStatus.Shipped, 3L), (stored!.Status, stored.Version));
    }

    [Fact]
    public async Task A_status_change_of_a_missing_order_is_not_found()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => _data.Orders.UpdateStatusAsync(Guid.NewGuid(), OrderStatus.Processing, 1, "t", Ct));
    }

    [Fact]
    public async Task A_newer_user_version_updates_the_denormalized_fields_and_an_equal_or_older_one_never_does()
    {
        var user = await _data.NewUserAsync();
        var order = await _data.PlaceOrderAsync(user, DataScope.Start, await _data.NewProductAsync());
        Assert.Equal(1, order.UserVersion);

        Assert.True(await _data.Orders.UpdateUserDenormalizationAsync(order.Id, order.UserId, Av.S("v3@example.com"), Av.S("Version Three"), 3, "system:denormalize", Ct));
        // A replay of the same record, then a late older one: both must leave version 3's data in place.
        Assert.False(await _data.Orders.UpdateUserDenormalizationAsync(order.Id, order.UserId, Av.S("v3-replayed@example.com"), Av.S("Replay"), 3, "system:denormalize", Ct));
        Assert.False(await _data.Orders.UpdateUserDenormalizationAsync(order.Id, order.UserId, Av.S("v2@example.com"), Av.S("Version Two"), 2, "system:denormalize", Ct));

        var stored = await _data.Orders.GetAsync(order.Id, Ct);
        Assert.Equal(("v3@example.com", "Version Three", 3L), (stored!.UserEmail, stored.UserName, stored.UserVersion));
        Assert.Equal(2, stored.Version);
        Assert.Equal("system:denormalize", stored.LastWriter);
        Assert.Equal(order.Items.Count, stored.Items.Count);
    }

    [Fact]
    public async Task A_denormalization_for_a_missing_order_applies_nothing_and_creates_no_item()
    {
        var before = (await _data.AllItemsAsync()).Count;

        Assert.False(await _data.Orders.UpdateUserDenormalizationAsync(Guid.NewGuid(), Guid.NewGuid(), Av.S("a@example.com"), Av.S("A"), 5, "system:denormalize", Ct));

        Assert.Equal(before, (await _data.AllItemsAsync()).Count);
    }

    [Fact]
    public async Task Denormalized_values_breaking_the_seeds_rules_are_rejected_and_nothing_is_written()
    {
        var order = await _data.PlaceOrderAsync(await _data.NewUserAsync(), DataScope.Start, await _data.NewProductAsync());

        var invalid = await Assert.ThrowsAsync<ValidationException>(() =>
            _data.Orders.UpdateUserDenormalizationAsync(order.Id, order.UserId, Av.S("nope"), Av.S(new string('x', 256)), 0, "system:denormalize", Ct));

        Assert.Equal(["userEmail", "userName", "userVersion"], invalid.Errors.Select(e => e.Field));
        var stored = await _data.Orders.GetAsync(order.Id, Ct);
        Assert.Equal((order.UserEmail, 1L), (stored!.UserEmail, stored.Version));
    }

    [Fact]
    public async Task A_stale_status_change_after_a_denormalization_fails_because_the_order_changed()
    {
        var order = await _data.PlaceOrderAsync(await _data.NewUserAsync(), DataScope.Start, await _data.NewProductAsync());
        await _data.Orders.UpdateUserDenormalizationAsync(order.Id, order.UserId, Av.S("new@example.com"), Av.S("New Name"), 2, "system:denormalize", Ct);

        await Assert.ThrowsAsync<ConcurrencyException>(() => _data.Orders.UpdateStatusAsync(order.Id, OrderStatus.Processing, 1, "t", Ct));

        var stored = await _data.Orders.GetAsync(order.Id, Ct);
        Assert.Equal((OrderStatus.Pending, "new@example.com"), (stored!.Status, stored.UserEmail));
    }
}
