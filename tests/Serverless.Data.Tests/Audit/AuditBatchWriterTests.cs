using System.Reflection;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Audit;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Data.Writing;
using Serverless.Domain;
using Serverless.Domain.Audit;
using Serverless.Testing;

namespace Serverless.Data.Tests.Audit;

/// <summary>The audit function's writer: concurrent entries gathered into BatchWriteItem calls, each caller told of its own.</summary>
public sealed class AuditBatchWriterTests(DynamoDbLocalFixture fixture) : IAsyncLifetime
{
    private DataScope _data = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _data = await DataScope.CreateAsync(fixture);

    public ValueTask DisposeAsync() => _data.DisposeAsync();

    private static AuditEntry Entry(int n, string recordId = "order-1") => new()
    {
        EntityType = "Order",
        RecordId = recordId,
        Action = AuditAction.Update,
        ChangedBy = "user:ops",
        ChangedAt = DataScope.Start.AddMilliseconds(n),
        OldValues = """{"status":"pending"}""",
        NewValues = $$"""{"status":"processing","n":{{n}}}""",
        EventId = $"event-{n}",
        SequenceNumber = (1000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private AuditBatchWriter Writer(IAmazonDynamoDB? client = null, BatchWriteOptions? options = null) =>
        new(client ?? _data.Table.Client, _data.Table.Options(), TimeProvider.System, options);

    [Fact]
    public async Task Entries_written_at_once_are_all_stored_as_the_repository_reads_them_in_fewer_calls_than_entries()
    {
        var writer = Writer();
        var entries = Enumerable.Range(0, 120).Select(n => Entry(n, $"order-{n % 7}")).ToList();
        _data.Table.Requests.Clear();

        await Task.WhenAll(entries.Select(e => Task.Run(() => writer.WriteAsync(e, Ct), Ct)));

        var calls = _data.Requests.Count(op => op == "BatchWriteItem");
        Assert.InRange(calls, 120 / 25, 119);
        Assert.DoesNotContain("PutItem", _data.Requests);
        var stored = new List<AuditEntry>();
        for (var r = 0; r < 7; r++)
        {
            stored.AddRange((await _data.Audit.HistoryAsync("Order", $"order-{r}", new() { Limit = 100 }, Ct)).Items);
        }

        Assert.Equal(entries.OrderBy(e => e.EventId, StringComparer.Ordinal), stored.OrderBy(e => e.EventId, StringComparer.Ordinal));
        // Each item carries the retention ttl, as a single write would.
        Assert.All(await _data.AllItemsAsync(), i => Assert.True(i.ContainsKey(Attr.Ttl)));
    }

    [Fact]
    public async Task The_same_record_twice_at_once_and_again_later_leaves_one_entry_unchanged()
    {
        var writer = Writer();
        var entry = Entry(1);

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => writer.WriteAsync(entry, Ct), Ct)));
        var first = Assert.Single(await _data.AllItemsAsync());
        await writer.WriteAsync(entry, Ct);

        var again = Assert.Single(await _data.AllItemsAsync());
        Assert.Equal(Describe(first), Describe(again));
        Assert.Equal(entry, Assert.Single((await _data.Audit.HistoryAsync("Order", "order-1", new(), Ct)).Items));
    }

    [Fact]
    public async Task An_invalid_entry_is_refused_alone_before_anything_is_sent_and_the_others_are_stored()
    {
        var writer = Writer();
        var good = Enumerable.Range(0, 30).Select(n => Entry(n)).ToList();
        var tooLarge = Entry(99) with { NewValues = "{\"blob\":\"" + new string('x', 420_000) + "\"}" };
        var noWriter = Entry(98) with { ChangedBy = "" };

        var writes = good.Select(e => Task.Run(() => writer.WriteAsync(e, Ct), Ct)).ToList();
        await Assert.ThrowsAsync<ValidationException>(() => writer.WriteAsync(tooLarge, Ct));
        await Assert.ThrowsAsync<ValidationException>(() => writer.WriteAsync(noWriter, Ct));
        await Task.WhenAll(writes);

        var items = await _data.AllItemsAsync();
        Assert.Equal(good.Count, items.Count);
        Assert.DoesNotContain(items, i => i[Attr.SK].S.EndsWith("#event-99", StringComparison.Ordinal) || i[Attr.SK].S.EndsWith("#event-98", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Entries_DynamoDB_leaves_unprocessed_are_sent_again_until_all_are_stored()
    {
        var (client, proxy) = UnprocessedBatchWrites.Wrap(_data.Table.Client, throttledCalls: 3);
        var writer = Writer(client, AuditBatchWriter.DefaultOptions with { Retry = new RetryOptions { MaxAttempts = 6, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) } });
        var entries = Enumerable.Range(0, 10).Select(n => Entry(n)).ToList();

        await Task.WhenAll(entries.Select(e => Task.Run(() => writer.WriteAsync(e, Ct), Ct)));

        Assert.Equal(entries.Count, (await _data.AllItemsAsync()).Count);
        Assert.True(proxy.BatchWriteCalls > 3);
    }

    [Fact]
    public async Task An_entry_still_unprocessed_after_every_attempt_fails_its_caller_and_is_not_stored()
    {
        var (client, _) = UnprocessedBatchWrites.Wrap(_data.Table.Client, throttledCalls: int.MaxValue);
        var writer = Writer(client, AuditBatchWriter.DefaultOptions with { Retry = new RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) } });

        var error = await Assert.ThrowsAsync<BatchWriteException>(() => writer.WriteAsync(Entry(1), Ct));

        Assert.Contains("3 attempts", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _data.AllItemsAsync());
    }

    [Fact]
    public async Task When_a_call_fails_whole_each_entry_is_tried_alone_and_only_the_one_DynamoDB_refuses_fails()
    {
        var client = RefusingOneRecord.Wrap(_data.Table.Client, refusedRecordId: "order-bad");
        var writer = Writer(client, AuditBatchWriter.DefaultOptions with { Parallelism = 1 });
        var good = Enumerable.Range(0, 12).Select(n => Entry(n)).ToList();
        var bad = Entry(50, "order-bad");

        var writes = good.Append(bad).Select(e => (e, Task.Run(() => writer.WriteAsync(e, Ct), Ct))).ToList();
        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                await w.Item2;
                return (w.e, (Exception?)null);
            }
            catch (AmazonDynamoDBException e)
            {
                return (w.e, e);
            }
        }));

        var failed = Assert.Single(outcomes, o => o.Item2 is not null);
        Assert.Equal("order-bad", failed.e.RecordId);
        Assert.Equal(good.Count, (await _data.AllItemsAsync()).Count);
    }

    private static string Describe(Dictionary<string, AttributeValue> item) =>
        string.Join("|", item.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + (a.Value.S ?? a.Value.N)));

    /// <summary>
    /// DynamoDB as it answers an item it will not store: a BatchWriteItem carrying it fails whole, and so does a
    /// PutItem of it alone; every other request goes to the real client.
    /// </summary>
    public class RefusingOneRecord : DispatchProxy
    {
        private IAmazonDynamoDB _inner = null!;
        private string _refused = "";

        public static IAmazonDynamoDB Wrap(IAmazonDynamoDB inner, string refusedRecordId)
        {
            var client = Create<IAmazonDynamoDB, RefusingOneRecord>();
            var proxy = (RefusingOneRecord)(object)client;
            proxy._inner = inner;
            proxy._refused = refusedRecordId;
            return client;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (args is [BatchWriteItemRequest batch, _] && batch.RequestItems.Single().Value.Any(w => Refused(w.PutRequest.Item)))
            {
                return Task.FromException<BatchWriteItemResponse>(new AmazonDynamoDBException("One or more parameter values were invalid"));
            }

            if (args is [PutItemRequest put, _] && Refused(put.Item))
            {
                return Task.FromException<PutItemResponse>(new AmazonDynamoDBException("One or more parameter values were invalid"));
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }

        private bool Refused(Dictionary<string, AttributeValue> item) => item[Attr.PK].S.EndsWith("#" + _refused, StringComparison.Ordinal);
    }
}
