using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Client.Faults;
using Serverless.Data.Comments;
using Serverless.Data.Orders;
using Serverless.Data.Products;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Users;
using Serverless.DynamoDbLocal;
using Serverless.Lambda.Events;
using Serverless.Lambda.Runtime;
using Serverless.Local.Ttl;
using Serverless.Streams.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Streams.Tests.Faults;

/// <summary>
/// The audit, denormalization and purge functions given the batches a real stream delivered (users created with
/// orders and a comment, renamed twice, half of them soft-deleted and removed by TTL), with every DynamoDB call of theirs
/// faulted and the SDK's own retries on. Each batch is delivered as Lambda delivers it with <c>ReportBatchItemFailures</c>:
/// again from the first reported record (the whole batch after a function error) until nothing is reported. The table
/// each leaves must be the one a fault-free run leaves, and: every change has exactly one audit entry; every order carries
/// its user's newest copy, applied once; the purge leaves nothing of a purged user and deletes nothing else.
/// docs/reliability.md holds the table these rows produce.
/// </summary>
public sealed class StreamFunctionsUnderFaultsTests(DynamoDbLocalFixture dynamo) : IDisposable
{
    private const int Users = 8;
    private const double Rate = 0.25;
    private const int MostDeliveries = 200;
    private static readonly SemaphoreSlim CaptureGate = new(1, 1);
    private static Capture? _capture;

    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly CapturedLogs _logs = new();
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_780_000_000));

    public static TheoryData<string, FaultClass> Cases()
    {
        var cases = new TheoryData<string, FaultClass>();
        foreach (var function in new[] { StreamFunctions.Audit, StreamFunctions.Denormalize, StreamFunctions.Purge })
        {
            foreach (var fault in Enum.GetValues<FaultClass>())
            {
                cases.Add(function, fault);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Under_faults_a_stream_function_retried_as_Lambda_retries_leaves_what_a_fault_free_run_leaves(string function, FaultClass fault)
    {
        var capture = await CaptureAsync();
        var table = capture.Source;
        var expected = await capture.CleanRunAsync(function, () => RunCleanAsync(function, capture));

        var config = dynamo.Server.CreateConfig();
        // The SDK's own retries off, so that faults reach the function and Lambda's redelivery has to finish the work
        // (the SDK still resends after an I/O error: a reset or a lost response).
        config.MaxErrorRetry = 0;
        var counters = FaultInjection.Attach(config, FaultOptions.Only(fault, Rate, seed: 40 + (int)fault));
        using var client = new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config);
        await RestoreAsync(capture);
        var deliveries = await DeliverAllAsync(Create(function, client, table), capture.Batches);

        var (changes, lost, duplicated, problems) = function switch
        {
            StreamFunctions.Audit => await CompareAuditAsync(table, expected),
            StreamFunctions.Denormalize => await CompareOrdersAsync(capture, expected),
            _ => await ComparePurgeAsync(capture),
        };
        var row = $"| {function} | `{fault}` | {Rate} | {capture.Records} | {changes} | {lost} | {duplicated} | {deliveries} / {capture.Batches.Count} | {counters.TotalInjected} / {counters.Eligible} |";
        TestContext.Current.TestOutputHelper?.WriteLine(row);

        Assert.True(counters.Injected(fault) > 0, "no fault was injected");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicated);
        Assert.Equal(expected.Keys, await KeysAsync(table));
    }

    /// <summary>The function's fault-free run from the same starting point: what the table holds after it.</summary>
    private async Task<CleanRun> RunCleanAsync(string function, Capture capture)
    {
        await RestoreAsync(capture);
        Assert.Equal(capture.Batches.Count, await DeliverAllAsync(Create(function, capture.Source.Admin, capture.Source), capture.Batches));
        var orders = new Dictionary<Guid, Order>();
        foreach (var user in capture.Users)
        {
            foreach (var order in await OrderSeeding.OrdersOfAsync(capture.Source, user.Id, _ct))
            {
                orders[order.Id] = order;
            }
        }

        return new CleanRun(await KeysAsync(capture.Source), await AuditTextsAsync(capture.Source), orders);
    }

    private async Task<List<string>> KeysAsync(TestTable table) =>
        [.. (await table.EveryItemAsync(_ct)).Select(i => i[Attr.PK].S + " / " + i[Attr.SK].S).Order(StringComparer.Ordinal)];

    /// <summary>The source table back to what it held when its stream had been read: every item removed, the captured ones put back.</summary>
    private async Task RestoreAsync(Capture capture)
    {
        var table = capture.Source;
        var requests = (await table.EveryItemAsync(_ct))
            .Select(i => new WriteRequest(new DeleteRequest(new Dictionary<string, AttributeValue> { [Attr.PK] = i[Attr.PK], [Attr.SK] = i[Attr.SK] })))
            .Concat(capture.Items.Select(i => new WriteRequest(new PutRequest(i))));
        // Deletions first, in their own calls: a call may not delete and put the same key.
        foreach (var chunk in requests.Chunk(25).SelectMany(c => c.GroupBy(r => r.DeleteRequest is null).Select(g => g.ToList())))
        {
            var pending = new Dictionary<string, List<WriteRequest>> { [table.Name] = chunk };
            while (pending.Count > 0)
            {
                var response = await table.Admin.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, _ct);
                pending = response.UnprocessedItems is { Count: > 0 } rest ? rest : [];
            }
        }

        Assert.Equal(capture.Items.Count, (await table.EveryItemAsync(_ct)).Count);
    }

    private ILambdaFunction Create(string function, IAmazonDynamoDB client, TestTable table) =>
        StreamFunctions.Create(function, client, new StreamFunctionSettings { Table = table.Options() }, _logs.Factory, _clock);

    /// <summary>
    /// Every batch delivered as Lambda delivers a stream batch to a function that reports item failures: after an
    /// answer naming records, again from the first of them; after a function error, the whole batch again.
    /// </summary>
    /// <returns>How many invocations it took.</returns>
    private async Task<int> DeliverAllAsync(ILambdaFunction function, IReadOnlyList<DynamoDBEventRecord[]> batches)
    {
        var invocations = 0;
        foreach (var batch in batches)
        {
            var records = batch;
            for (var delivery = 1; records.Length > 0; delivery++)
            {
                Assert.True(delivery <= MostDeliveries, $"a batch was still not done after {MostDeliveries} deliveries");
                invocations++;
                HashSet<string?> failed;
                try
                {
                    var response = await function.InvokeMeteredAsync(StreamEvents.Payload(records), _ct);
                    failed = [.. LambdaEventSerializer.Deserialize(response.Span, LambdaJsonContext.Default.StreamsEventResponse).BatchItemFailures.Select(f => f.ItemIdentifier)];
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException and not OperationCanceledException)
                {
                    failed = [records[0].Dynamodb!.SequenceNumber];
                }

                var first = Array.FindIndex(records, r => failed.Contains(r.Dynamodb!.SequenceNumber));
                Assert.True(failed.Count == 0 || first >= 0, "an item failure names no record of the batch");
                records = first < 0 ? [] : records[first..];
            }
        }

        return invocations;
    }

    /// <summary>Every audit entry of the fault-free run is there exactly once and unchanged; no other entry is.</summary>
    private async Task<(int Changes, int Lost, int Duplicated, List<string> Problems)> CompareAuditAsync(TestTable table, CleanRun expected)
    {
        var actual = await AuditTextsAsync(table);
        var problems = new List<string>();
        // One entry per change: no two entries of one record (its stream sequence number).
        var perRecord = (await TableReads.AuditItemsAsync(table, _ct)).GroupBy(i => i[Attr.SequenceNumber].S).Where(g => g.Count() > 1).ToList();
        problems.AddRange(perRecord.Select(g => $"record {g.Key} has {g.Count()} audit entries"));
        if (expected.Audit.Count < Users * 6)
        {
            problems.Add($"only {expected.Audit.Count} entries in the fault-free run");
        }

        return (expected.Audit.Count, expected.Audit.Except(actual).Count(), actual.Except(expected.Audit).Count() + perRecord.Count, problems);
    }

    private async Task<HashSet<string>> AuditTextsAsync(TestTable table) =>
        [.. (await TableReads.SnapshotAsync(table, _ct)).Where(t => t.Contains($"{Attr.EntityType}={EntityTypes.AuditEntry}", StringComparison.Ordinal))];

    /// <summary>Every order carries its user's newest name and email, at the version of the fault-free run (a second application would raise it).</summary>
    private async Task<(int Changes, int Lost, int Duplicated, List<string> Problems)> CompareOrdersAsync(Capture capture, CleanRun expected)
    {
        var (changes, lost, duplicated) = (0, 0, 0);
        var problems = new List<string>();
        foreach (var user in capture.Users)
        {
            foreach (var got in await OrderSeeding.OrdersOfAsync(capture.Source, user.Id, _ct))
            {
                changes++;
                var want = expected.Orders[got.Id];
                if ((want.UserName, want.UserEmail) != (user.Name, user.Email))
                {
                    problems.Add($"the fault-free run left order {got.Id} with an older copy of its user");
                }

                if ((got.UserName, got.UserEmail, got.UserVersion) != (user.Name, user.Email, want.UserVersion))
                {
                    lost++;
                    problems.Add($"order {got.Id} does not carry its user's newest copy");
                }
                else if (got.Version != want.Version)
                {
                    duplicated++;
                    problems.Add($"order {got.Id} at version {got.Version}, the fault-free run's {want.Version}");
                }
            }
        }

        if (changes != expected.Orders.Count)
        {
            problems.Add($"{changes} orders, the fault-free run {expected.Orders.Count}");
        }

        return (changes, lost, duplicated, problems);
    }

    /// <summary>Nothing of a purged user is left (lost = items left); nothing else is gone or changed (duplicated = extra deletions).</summary>
    private async Task<(int Changes, int Lost, int Duplicated, List<string> Problems)> ComparePurgeAsync(Capture capture)
    {
        var kept = capture.Items.Where(i => !capture.OfPurgedUser(i)).Select(Text).ToHashSet(StringComparer.Ordinal);
        var after = await capture.Source.EveryItemAsync(_ct);
        var left = after.Where(capture.OfPurgedUser).Select(i => i[Attr.PK].S + " / " + i[Attr.SK].S).ToList();
        var extra = kept.Except(after.Select(Text)).Count();
        return (capture.Items.Count - kept.Count, left.Count, extra, [.. left.Select(k => $"left of a purged user: {k}")]);
    }

    private static string Text(Dictionary<string, AttributeValue> item) =>
        string.Join(",", item.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + "=" + (e.Value.S ?? e.Value.N ?? e.Value.BOOL?.ToString() ?? (e.Value.B is not null ? Convert.ToBase64String(e.Value.B.ToArray()) : "?"))));

    private async Task<Capture> CaptureAsync()
    {
        await CaptureGate.WaitAsync(_ct);
        try
        {
            return _capture ??= await CaptureOnceAsync();
        }
        finally
        {
            CaptureGate.Release();
        }
    }

    /// <summary>
    /// The writes, on a streamed table; the batches the local event source mapping delivered for them (to a function
    /// that only answers "done"); and every item the table held afterwards.
    /// </summary>
    private async Task<Capture> CaptureOnceAsync()
    {
        // Kept for the class's cases (each restores it first): the users' keys are wrapped for this table's name.
        var source = await TestTable.CreateAsync(dynamo, CancellationToken.None);
        var access = new TableAccess(source.Client, source.Options(), TimeProvider.System);
        var users = new UserRepository(access);
        var orders = new OrderRepository(access);
        var product = await new ProductRepository(access).CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3.5m }, "user:root", _ct);
        var line = new OrderItem { ProductId = product.Id, ProductName = product.Name, Quantity = 2, UnitPrice = product.Price };
        var finals = new List<User>();
        var purged = new List<(Guid User, List<Guid> Orders)>();
        for (var i = 0; i < Users; i++)
        {
            var user = await users.CreateAsync(TestData.NewUser(), "user:alice", _ct);
            var orderIds = new List<Guid>();
            for (var n = 0; n < 2; n++)
            {
                var order = await orders.CreateAsync(
                    new Order { Id = Guid.NewGuid(), UserId = user.Id, UserEmail = user.Email, UserName = user.Name, UserVersion = user.Version, Items = [line], Total = line.LineTotal },
                    "user:alice",
                    _ct);
                orderIds.Add(order.Id);
            }

            await new CommentRepository(access).AddAsync(new Comment { Id = Guid.NewGuid(), TargetType = CommentTarget.User, TargetId = user.Id, Content = "Welcome!" }, "user:bob", _ct);
            user = await users.UpdateAsync(user with { Name = $"Ada King {i}" }, user.Version, "user:alice", _ct);
            user = await users.UpdateAsync(user with { Name = $"Ada Byron {i}", Email = $"ada.{i}.{user.Id:N}@example.com" }, user.Version, "user:alice", _ct);
            if (i % 2 == 1)
            {
                await users.DeleteAsync(user.Id, user.Version, "user:alice", _ct);
                purged.Add((user.Id, orderIds));
            }

            // A soft delete changes neither the name nor the email: the user's newest copy is the one just written.
            finals.Add(user);
        }

        var ttlDeletions = new TtlDeletionLog();
        var recorder = new RecordedFunction(new AnswersDone());
        await using (var emulation = await Emulation.StartAsync(dynamo, source.Name, [(recorder, Emulation.Settings("Recorder"))], _ct, ttlDeletions))
        {
            var sweeper = new TtlSweeper(dynamo.Client, new TtlSweeperOptions { TableNames = [source.Name] }, ttlDeletions, new ShiftedClock(TimeSpan.FromDays(31)));
            Assert.Equal(2 * purged.Count, await sweeper.SweepOnceAsync(_ct)); // each deleted user's item and email marker
            var sentinel = await new ProductRepository(access).CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Sentinel", Price = 1m }, "test:sentinel", _ct);
            await Eventually.WaitUntilAsync(() => Task.FromResult(recorder.HasAnswered(Keys.Product(sentinel.Id).PK)), "the sentinel's batch was answered", _ct);
        }

        var batches = recorder.Invocations.Select(i => i.Event.Records.ToArray()).ToList();
        Assert.Contains(batches.SelectMany(b => b), r => r.UserIdentity?.IsTimeToLiveDeletion == true);
        return new Capture(source, batches, await source.EveryItemAsync(_ct), finals, purged);
    }

    public void Dispose() => _logs.Dispose();

    private sealed record CleanRun(List<string> Keys, HashSet<string> Audit, Dictionary<Guid, Order> Orders);

    private sealed record Capture(
        TestTable Source,
        IReadOnlyList<DynamoDBEventRecord[]> Batches,
        IReadOnlyList<Dictionary<string, AttributeValue>> Items,
        IReadOnlyList<User> Users,
        IReadOnlyList<(Guid User, List<Guid> Orders)> Purged)
    {
        private readonly Dictionary<string, CleanRun> _clean = [];

        public int Records => Batches.Sum(b => b.Length);

        public async Task<CleanRun> CleanRunAsync(string function, Func<Task<CleanRun>> run) =>
            _clean.TryGetValue(function, out var done) ? done : _clean[function] = await run();

        /// <summary>An item of a soft-deleted user: in its partition, naming it, or in one of its orders' partitions.</summary>
        public bool OfPurgedUser(Dictionary<string, AttributeValue> item) => Purged.Any(p =>
            item.Values.Any(v => v.S?.Contains(p.User.ToString("D"), StringComparison.Ordinal) == true)
            || p.Orders.Any(o => item[Attr.PK].S.Contains(o.ToString("D"), StringComparison.Ordinal)));
    }

    /// <summary>A stream function that does nothing and reports every record done: it only lets the mapping record the batches.</summary>
    private sealed class AnswersDone : ILambdaFunction
    {
        private static readonly byte[] Done = """{"batchItemFailures":[]}"""u8.ToArray();

        public ValueTask<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult<ReadOnlyMemory<byte>>(Done);
    }
}
