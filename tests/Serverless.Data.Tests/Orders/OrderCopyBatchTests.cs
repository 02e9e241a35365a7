using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Orders;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Data.Writing;
using Serverless.DynamoDbLocal;
using Serverless.Domain;
using Serverless.Domain.Orders;
using Serverless.Testing;

namespace Serverless.Data.Tests.Orders;

/// <summary>The user's copy onto many orders: PartiQL UPDATEs in BatchExecuteStatement calls, against DynamoDB Local.</summary>
public sealed class OrderCopyBatchTests(DynamoDbLocalFixture fixture) : IAsyncLifetime
{
    private static readonly RetryOptions Fast = new() { MaxAttempts = 5, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    private DataScope _data = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _data = await DataScope.CreateAsync(fixture);

    public ValueTask DisposeAsync() => _data.DisposeAsync();

    [Fact]
    public async Task Copying_onto_more_than_25_orders_updates_all_of_them_in_batches_of_25()
    {
        var (user, orders) = await UserWithOrdersAsync(30);
        _data.Table.Requests.Clear();

        var changed = await _data.Orders.CopyUserToOrdersAsync(
            [.. orders.Select(o => o.Id)], user.Id, Av.S("new@example.com"), Av.S("New Name"), 2, "system:denormalize", null, Ct);

        Assert.Equal(30, changed);
        Assert.Equal(["BatchExecuteStatement", "BatchExecuteStatement"], _data.Requests);
        foreach (var order in orders)
        {
            var stored = await _data.Orders.GetAsync(order.Id, Ct);
            Assert.Equal(("new@example.com", "New Name", 2L, 2L, "system:denormalize"), (stored!.UserEmail, stored.UserName, stored.UserVersion, stored.Version, stored.LastWriter));
            Assert.Equal(_data.Access.Now(), stored.UpdatedAt);
            Assert.Equal(order.Items.Count, stored.Items.Count);
        }
    }

    [Fact]
    public async Task Orders_that_already_have_this_version_or_newer_are_refused_and_exactly_the_others_change()
    {
        var (user, orders) = await UserWithOrdersAsync(28);
        var newer = orders.Where((_, i) => i % 4 == 0).Select(o => o.Id).ToHashSet();
        Assert.Equal(newer.Count, await _data.Orders.CopyUserToOrdersAsync([.. newer], user.Id, Av.S("v5@example.com"), Av.S("Version Five"), 5, "system:denormalize", null, Ct));
        var newerPartitions = newer.Select(Keys.OrderPartition).ToHashSet(StringComparer.Ordinal);
        var before = ItemText.Sorted((await _data.AllItemsAsync()).Where(i => newerPartitions.Contains(i[Attr.PK].S)));

        var changed = await _data.Orders.CopyUserToOrdersAsync(
            [.. orders.Select(o => o.Id)], user.Id, Av.S("v3@example.com"), Av.S("Version Three"), 3, "system:denormalize", null, Ct);

        Assert.Equal(orders.Count - newer.Count, changed);
        foreach (var order in orders)
        {
            var stored = await _data.Orders.GetAsync(order.Id, Ct);
            Assert.Equal(
                newer.Contains(order.Id) ? ("v5@example.com", 5L, 2L) : ("v3@example.com", 3L, 2L),
                (stored!.UserEmail, stored.UserVersion, stored.Version));
        }

        // The refused orders were not touched at all (no stamp, no version bump).
        Assert.Equal(before, ItemText.Sorted((await _data.AllItemsAsync()).Where(i => newerPartitions.Contains(i[Attr.PK].S))));
    }

    [Fact]
    public async Task An_order_deleted_before_the_copy_is_not_created_again_and_the_others_change()
    {
        var (user, orders) = await UserWithOrdersAsync(3);
        var gone = orders[1];
        foreach (var item in (await _data.AllItemsAsync()).Where(i => i[Attr.PK].S == Keys.OrderPartition(gone.Id)))
        {
            await _data.Table.Admin.DeleteItemAsync(_data.Table.Name, new Dictionary<string, AttributeValue> { [Attr.PK] = item[Attr.PK], [Attr.SK] = item[Attr.SK] }, Ct);
        }

        var before = await _data.AllItemsAsync();

        var changed = await _data.Orders.CopyUserToOrdersAsync(
            [.. orders.Select(o => o.Id)], user.Id, Av.S("new@example.com"), Av.S("New Name"), 2, "system:denormalize", null, Ct);

        Assert.Equal(2, changed);
        Assert.Null(await _data.Orders.GetAsync(gone.Id, Ct));
        var after = await _data.AllItemsAsync();
        Assert.Equal(before.Count, after.Count);
        Assert.DoesNotContain(after, i => i[Attr.PK].S == Keys.OrderPartition(gone.Id));
    }

    [Fact]
    public async Task Another_users_order_is_refused()
    {
        var (owner, orders) = await UserWithOrdersAsync(1);
        var other = await _data.NewUserAsync("Someone Else");

        var changed = await _data.Orders.CopyUserToOrdersAsync([orders[0].Id], other.Id, Av.S("x@example.com"), Av.S("X"), 9, "system:denormalize", null, Ct);

        Assert.Equal(0, changed);
        var stored = await _data.Orders.GetAsync(orders[0].Id, Ct);
        Assert.Equal((owner.Email, 1L), (stored!.UserEmail, stored.Version));
    }

    [Fact]
    public async Task A_throttled_statement_is_sent_again_alone_and_applied_exactly_once()
    {
        var (user, orders) = await UserWithOrdersAsync(5);
        using var client = new StatementFaults(fixture.Server, failOrders: [orders[2]], code: BatchStatementErrorCodeEnum.ThrottlingError);
        var repository = new OrderRepository(new TableAccess(client, _data.Table.Options(), _data.Clock));

        var changed = await repository.CopyUserToOrdersAsync(
            [.. orders.Select(o => o.Id)], user.Id, Av.S("new@example.com"), Av.S("New Name"), 2, "system:denormalize", Fast, Ct);

        Assert.Equal(5, changed);
        Assert.Equal([5, 1], client.StatementsPerCall);
        foreach (var order in orders)
        {
            var stored = await _data.Orders.GetAsync(order.Id, Ct);
            // Applied once: version 1 + one copy.
            Assert.Equal(("new@example.com", 2L, 2L), (stored!.UserEmail, stored.UserVersion, stored.Version));
        }
    }

    [Fact]
    public async Task A_call_throttled_whole_is_sent_again_and_each_order_changes_once()
    {
        var (user, orders) = await UserWithOrdersAsync(4);
        using var client = new StatementFaults(fixture.Server, failOrders: [], code: null) { FailFirstCallWhole = true };
        var repository = new OrderRepository(new TableAccess(client, _data.Table.Options(), _data.Clock));

        var changed = await repository.CopyUserToOrdersAsync(
            [.. orders.Select(o => o.Id)], user.Id, Av.S("new@example.com"), Av.S("New Name"), 2, "system:denormalize", Fast, Ct);

        Assert.Equal(4, changed);
        Assert.Equal([4, 4], client.StatementsPerCall);
        foreach (var order in orders)
        {
            Assert.Equal(2L, (await _data.Orders.GetAsync(order.Id, Ct))!.Version);
        }
    }

    [Fact]
    public async Task A_statement_refused_for_another_reason_than_its_condition_fails_the_call_and_the_others_still_apply()
    {
        var (user, orders) = await UserWithOrdersAsync(3);
        using var client = new StatementFaults(fixture.Server, failOrders: [orders[0]], code: BatchStatementErrorCodeEnum.ValidationError);
        var repository = new OrderRepository(new TableAccess(client, _data.Table.Options(), _data.Clock));

        var error = await Assert.ThrowsAsync<StatementBatchException>(() => repository.CopyUserToOrdersAsync(
            [.. orders.Select(o => o.Id)], user.Id, Av.S("new@example.com"), Av.S("New Name"), 2, "system:denormalize", Fast, Ct));

        Assert.Contains("Statement 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("ValidationError", error.Message, StringComparison.Ordinal);
        Assert.Equal([3], client.StatementsPerCall);
        Assert.Equal(1L, (await _data.Orders.GetAsync(orders[0].Id, Ct))!.Version);
        Assert.Equal(2L, (await _data.Orders.GetAsync(orders[1].Id, Ct))!.Version);
    }

    [Fact]
    public async Task A_statement_throttled_through_every_attempt_fails_the_call()
    {
        var (user, orders) = await UserWithOrdersAsync(2);
        using var client = new StatementFaults(fixture.Server, failOrders: [orders[1]], code: BatchStatementErrorCodeEnum.ProvisionedThroughputExceeded) { FailAlways = true };
        var repository = new OrderRepository(new TableAccess(client, _data.Table.Options(), _data.Clock));

        await Assert.ThrowsAsync<StatementBatchException>(() => repository.CopyUserToOrdersAsync(
            [.. orders.Select(o => o.Id)], user.Id, Av.S("new@example.com"), Av.S("New Name"), 2, "system:denormalize", Fast, Ct));

        Assert.Equal(Fast.MaxAttempts, client.StatementsPerCall.Count);
        Assert.Equal(2L, (await _data.Orders.GetAsync(orders[0].Id, Ct))!.Version);
        Assert.Equal(1L, (await _data.Orders.GetAsync(orders[1].Id, Ct))!.Version);
    }

    [Fact]
    public async Task Bad_values_are_rejected_before_any_call()
    {
        var (user, orders) = await UserWithOrdersAsync(1);
        _data.Table.Requests.Clear();

        var invalid = await Assert.ThrowsAsync<ValidationException>(() => _data.Orders.CopyUserToOrdersAsync(
            [orders[0].Id], user.Id, Av.S("nope"), Av.S(""), 0, "system:denormalize", null, Ct));

        Assert.Equal(["userEmail", "userName", "userVersion"], invalid.Errors.Select(e => e.Field));
        Assert.Empty(_data.Requests);
    }

    [Fact]
    public async Task More_than_25_statements_in_one_call_are_refused_before_sending()
    {
        var writer = new StatementBatchWriter(_data.Table.Client, Fast, TimeProvider.System);
        _data.Table.Requests.Clear();

        await Assert.ThrowsAsync<ArgumentException>(() => writer.ExecuteAsync([.. Enumerable.Repeat(new WriteStatement("UPDATE", []), 26)], Ct));

        Assert.Empty(_data.Requests);
    }

    private async Task<(Domain.Users.User User, List<Order> Orders)> UserWithOrdersAsync(int count)
    {
        var user = await _data.NewUserAsync();
        var product = await _data.NewProductAsync();
        var orders = new List<Order>();
        for (var i = 0; i < count; i++)
        {
            orders.Add(await _data.PlaceOrderAsync(user, DataScope.Start.AddMinutes(i), product));
        }

        return (user, orders);
    }

    /// <summary>
    /// DynamoDB Local, but a statement on one of the <c>failOrders</c> is answered with <c>code</c> instead of being run,
    /// the first time it comes (every time with <see cref="FailAlways"/>); the others run for real.
    /// </summary>
    private sealed class StatementFaults(DynamoDbLocalServer server, Order[] failOrders, BatchStatementErrorCodeEnum? code)
        : AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, server.CreateConfig())
    {
        private readonly List<int> _perCall = [];
        private readonly HashSet<string> _failed = new(StringComparer.Ordinal);
        private readonly HashSet<string> _partitions = failOrders.Select(o => Keys.OrderPartition(o.Id)).ToHashSet(StringComparer.Ordinal);

        public bool FailAlways { get; init; }

        public bool FailFirstCallWhole { get; init; }

        public IReadOnlyList<int> StatementsPerCall
        {
            get
            {
                lock (_perCall)
                {
                    return [.. _perCall];
                }
            }
        }

        public override async Task<BatchExecuteStatementResponse> BatchExecuteStatementAsync(BatchExecuteStatementRequest request, CancellationToken cancellationToken = default)
        {
            int call;
            lock (_perCall)
            {
                call = _perCall.Count;
                _perCall.Add(request.Statements.Count);
            }

            if (FailFirstCallWhole && call == 0)
            {
                throw new ProvisionedThroughputExceededException("Rate of requests exceeds the allowed throughput.");
            }

            var failing = new HashSet<int>();
            lock (_perCall)
            {
                for (var i = 0; i < request.Statements.Count; i++)
                {
                    var partition = request.Statements[i].Parameters.Select(p => p.S).FirstOrDefault(_partitions.Contains);
                    if (partition is not null && (_failed.Add(partition) || FailAlways))
                    {
                        failing.Add(i);
                    }
                }
            }

            var run = request.Statements.Where((_, i) => !failing.Contains(i)).ToList();
            var answers = run.Count == 0
                ? []
                : (await base.BatchExecuteStatementAsync(new BatchExecuteStatementRequest { Statements = run }, cancellationToken)).Responses;
            var merged = new List<BatchStatementResponse>();
            var next = 0;
            for (var i = 0; i < request.Statements.Count; i++)
            {
                merged.Add(failing.Contains(i) ? new BatchStatementResponse { Error = new BatchStatementError { Code = code, Message = "injected" } } : answers[next++]);
            }

            return new BatchExecuteStatementResponse { Responses = merged };
        }
    }
}
