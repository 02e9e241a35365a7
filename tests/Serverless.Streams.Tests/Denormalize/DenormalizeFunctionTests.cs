using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Data.Writing;
using Serverless.DynamoDbLocal;
using Serverless.Lambda.Events;
using Serverless.Streams.Denormalize;
using Serverless.Streams.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Streams.Tests.Denormalize;

/// <summary>The denormalization function against DynamoDB Local, fed by the local event source mapping.</summary>
public sealed class DenormalizeFunctionTests(DynamoDbLocalFixture dynamo) : IDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task A_name_change_of_a_user_with_500_orders_reaches_all_500()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));
        var user = await users.CreateAsync(TestData.NewUser(), "user:alice", _ct);
        await OrderSeeding.AddOrderHeadersAsync(table.Admin, table.Name, user, 500, _ct);
        var denormalize = Denormalizer(table);
        await using var emulation = await Emulation.StartAsync(dynamo, table.Name, [(denormalize, Emulation.Settings("DenormalizeFunction"))], _ct);

        var renamed = await users.UpdateAsync(user with { Name = "Ada King", Email = "ada.king@example.com" }, 1, "user:alice", _ct);

        await Eventually.WaitUntilAsync(
            async () => (await OrderSeeding.OrdersOfAsync(table, user.Id, _ct)).Count(o => o.UserVersion == renamed.Version) == 500,
            "all 500 orders carry the new name", _ct, TimeSpan.FromMinutes(3));
        var orders = await OrderSeeding.OrdersOfAsync(table, user.Id, _ct);
        Assert.Equal(500, orders.Count);
        Assert.All(orders, o => Assert.Equal(("Ada King", "ada.king@example.com", 2L), (o.UserName, o.UserEmail, o.UserVersion)));
        Assert.All(orders, o => Assert.Equal("system:denormalize", o.LastWriter));
    }

    [Fact]
    public async Task Replayed_records_and_an_older_record_after_a_newer_one_change_nothing()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));
        var user = await users.CreateAsync(TestData.NewUser(), "user:alice", _ct);
        await OrderSeeding.AddOrderHeadersAsync(table.Admin, table.Name, user, 20, _ct);
        var denormalize = Denormalizer(table);
        await using (await Emulation.StartAsync(dynamo, table.Name, [(denormalize, Emulation.Settings("DenormalizeFunction"))], _ct))
        {
            var second = await users.UpdateAsync(user with { Name = "Ada King" }, 1, "user:alice", _ct);
            await users.UpdateAsync(second with { Name = "Ada, Countess of Lovelace" }, 2, "user:alice", _ct);
            // Answered, not only applied: the orders can carry version 3 before the invocation that wrote them has
            // returned, and stopping the emulation then would cancel it before the recorder saw its records.
            await Eventually.WaitUntilAsync(
                async () => UserModifies().Count == 2 && (await OrderSeeding.OrdersOfAsync(table, user.Id, _ct)).All(o => o.UserVersion == 3),
                "both user changes answered and the orders carry version 3", _ct);
        }

        List<DynamoDBEventRecord> UserModifies() =>
            denormalize.Records.Where(r => r.EventName == "MODIFY" && r.Dynamodb!.Keys![Attr.PK].S == Keys.UserPartition(user.Id)).ToList();
        var modifies = UserModifies();
        Assert.Equal(2, modifies.Count);
        var before = await TableReads.SnapshotAsync(table, _ct);

        // The newer record again, twice (a retry, a duplicate), then the older one late (a reordered delivery).
        foreach (var record in new[] { modifies[1], modifies[1], modifies[0] })
        {
            var response = await denormalize.Function.InvokeAsync(StreamEvents.Payload(record), TestEnvironment.Context(), _ct);
            Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(response.Span));
        }

        Assert.Equal(before, await TableReads.SnapshotAsync(table, _ct));
        // Each change applied once: version 1 + the two user changes.
        Assert.All(await OrderSeeding.OrdersOfAsync(table, user.Id, _ct), o => Assert.Equal(("Ada, Countess of Lovelace", 3L, 3L), (o.UserName, o.UserVersion, o.Version)));
    }

    [Fact]
    public async Task Throttled_writes_are_retried_and_no_more_than_the_configured_few_run_at_once()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));
        var user = await users.CreateAsync(TestData.NewUser(), "user:alice", _ct);
        await OrderSeeding.AddOrderHeadersAsync(table.Admin, table.Name, user, 30, _ct);
        var renamed = await users.UpdateAsync(user with { Name = "Ada King" }, 1, "user:alice", _ct);
        using var throttling = new ThrottlingClient(dynamo.Server, throttleEvery: 3);
        var options = new DenormalizeOptions
        {
            MaxParallelWrites = 3,
            PageSize = 7,
            Retry = new RetryOptions { MaxAttempts = 10, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(20) },
        };
        var function = StreamFunctions.CreateDenormalize(throttling, table.Options(), _logs.Factory, TimeProvider.System, options);
        var record = StreamEvents.Record("MODIFY", UserMapper.ToItem(user, 1), UserMapper.ToItem(renamed, 1));

        var response = await function.InvokeAsync(StreamEvents.Payload(record), TestEnvironment.Context(), _ct);

        Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(response.Span));
        Assert.All(await OrderSeeding.OrdersOfAsync(table, user.Id, _ct), o => Assert.Equal("Ada King", o.UserName));
        Assert.True(throttling.Throttled >= 10, $"throttled {throttling.Throttled} times");
        Assert.InRange(throttling.MaxConcurrentUpdates, 2, 3);
    }

    [Fact]
    public async Task A_user_change_that_keeps_email_and_name_touches_no_order()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var users = new UserRepository(new TableAccess(table.Client, table.Options(), TimeProvider.System));
        var user = await users.CreateAsync(TestData.NewUser(), "user:alice", _ct);
        await OrderSeeding.AddOrderHeadersAsync(table.Admin, table.Name, user, 3, _ct);
        var changed = await users.UpdateAsync(user with { Balance = 99m }, 1, "user:alice", _ct);
        var function = StreamFunctions.CreateDenormalize(table.Client, table.Options(), _logs.Factory, TimeProvider.System);
        table.Requests.Clear();

        await function.InvokeAsync(
            StreamEvents.Payload(StreamEvents.Record("MODIFY", UserMapper.ToItem(user, 1), UserMapper.ToItem(changed, 1))), TestEnvironment.Context(), _ct);

        Assert.Empty(table.Requests.Operations);
    }

    private RecordedFunction Denormalizer(TestTable table) =>
        new(StreamFunctions.CreateDenormalize(table.Client, table.Options(), _logs.Factory, TimeProvider.System));

    public void Dispose() => _logs.Dispose();

    /// <summary>
    /// DynamoDB Local that throttles every n-th order update (a statement of a BatchExecuteStatement call answered
    /// ThrottlingError, the others run for real) and counts how many calls run at once.
    /// </summary>
    private sealed class ThrottlingClient(DynamoDbLocalServer server, int throttleEvery)
        : AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, NoSdkRetries(server))
    {
        private int _calls;
        private int _running;
        private int _maxRunning;
        private int _throttled;

        public int Throttled => Volatile.Read(ref _throttled);

        public int MaxConcurrentUpdates => Volatile.Read(ref _maxRunning);

        public override async Task<BatchExecuteStatementResponse> BatchExecuteStatementAsync(BatchExecuteStatementRequest request, CancellationToken cancellationToken = default)
        {
            var running = Interlocked.Increment(ref _running);
            InterlockedMax(ref _maxRunning, running);
            try
            {
                // Long enough that parallel callers overlap.
                await Task.Delay(15, cancellationToken);
                var throttled = request.Statements.Select(_ => Interlocked.Increment(ref _calls) % throttleEvery == 0).ToList();
                Interlocked.Add(ref _throttled, throttled.Count(t => t));
                var run = request.Statements.Where((_, i) => !throttled[i]).ToList();
                var answers = run.Count == 0
                    ? []
                    : (await base.BatchExecuteStatementAsync(new BatchExecuteStatementRequest { Statements = run }, cancellationToken)).Responses;
                var next = 0;
                return new BatchExecuteStatementResponse
                {
                    Responses = [.. throttled.Select(t => t
                        ? new BatchStatementResponse { Error = new BatchStatementError { Code = BatchStatementErrorCodeEnum.ThrottlingError, Message = "Throughput exceeds the current capacity of your table or index." } }
                        : answers[next++])],
                };
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        private static AmazonDynamoDBConfig NoSdkRetries(DynamoDbLocalServer server)
        {
            var config = server.CreateConfig();
            config.MaxErrorRetry = 0;
            return config;
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int current;
            while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
            {
            }
        }
    }
}
