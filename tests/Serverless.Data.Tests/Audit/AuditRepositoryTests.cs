using Amazon.DynamoDBv2.Model;
using Serverless.Data.Audit;
using Serverless.Data.Items;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Domain;
using Serverless.Domain.Audit;
using Serverless.Testing;

namespace Serverless.Data.Tests.Audit;

public sealed class AuditRepositoryTests(DynamoDbLocalFixture fixture) : IAsyncLifetime
{
    private DataScope _data = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _data = await DataScope.CreateAsync(fixture);

    public ValueTask DisposeAsync() => _data.DisposeAsync();

    private static AuditEntry Entry(string recordId, DateTimeOffset changedAt, string eventId, AuditAction action = AuditAction.Update, string sequenceNumber = "1") => new()
    {
        EntityType = "Order",
        RecordId = recordId,
        Action = action,
        ChangedBy = "user:ops",
        ChangedAt = changedAt,
        OldValues = action == AuditAction.Insert ? null : """{"status":"pending"}""",
        NewValues = action == AuditAction.Delete ? null : """{"status":"processing"}""",
        EventId = eventId,
        SequenceNumber = sequenceNumber,
    };

    [Fact]
    public async Task Writing_the_same_stream_records_entry_twice_keeps_one_item_unchanged()
    {
        var entry = Entry("order-1", DataScope.Start, "event-1");

        Assert.True(await _data.Audit.WriteAsync(entry, Ct));
        // A redelivered record, even one carrying different content, must neither duplicate nor alter the first entry.
        Assert.False(await _data.Audit.WriteAsync(entry with { ChangedBy = "user:intruder", NewValues = """{"status":"shipped"}""" }, Ct));

        var items = await _data.AllItemsAsync();
        var item = Assert.Single(items);
        Assert.Equal("user:ops", item[Attr.ChangedBy].S);
        Assert.Equal(entry, Assert.Single((await _data.Audit.HistoryAsync("Order", "order-1", new(), Ct)).Items));
    }

    [Fact]
    public async Task An_entry_expires_one_retention_period_after_the_change_it_records()
    {
        var changedAt = DataScope.Start.AddDays(-10);

        await _data.Audit.WriteAsync(Entry("order-1", changedAt, "event-1"), Ct);

        var item = Assert.Single(await _data.AllItemsAsync());
        Assert.Equal(changedAt.AddDays(365).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), item[Attr.Ttl].N);
    }

    [Fact]
    public async Task A_records_history_comes_newest_first_and_the_pages_walk_each_entry_exactly_once_without_a_scan()
    {
        var written = new List<AuditEntry>();
        for (var i = 0; i < 7; i++)
        {
            var entry = Entry("order-1", DataScope.Start.AddMinutes(i), $"event-{i}", i == 0 ? AuditAction.Insert : AuditAction.Update, $"{i + 1}");
            await _data.Audit.WriteAsync(entry, Ct);
            written.Add(entry);
        }

        await _data.Audit.WriteAsync(Entry("order-2", DataScope.Start, "event-x"), Ct);
        await _data.Audit.WriteAsync(Entry("order-1", DataScope.Start, "event-y") with { EntityType = "Product" }, Ct);
        _data.Table.Requests.Clear();

        var pages = await DataScope.AllPagesAsync(p => _data.Audit.HistoryAsync("Order", "order-1", p, Ct), limit: 3);

        Assert.Equal(Enumerable.Reverse(written), pages.SelectMany(p => p));
        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.All(_data.Requests, op => Assert.Equal("Query", op));
    }

    [Fact]
    public async Task Entries_that_share_a_time_come_back_newest_first_in_stream_sequence_order_whatever_their_digit_counts()
    {
        // As DynamoDB Local stamps them: one minute for all. The sequence numbers grow as the stream's do, in every
        // length it may send (DynamoDB Local's 21 zero-padded digits, the service's 21 to 40), and the event ids
        // sort against that order, so only the sequence number can put the entries right.
        var minute = DataScope.Start;
        var sequence = new[] { "9", "10", "000000000000000000011", "000000000000000000100", "4050000000000002063282832", "1000000000000000000000000000000000000000" };
        var written = sequence.Select((s, i) => Entry("order-1", minute, $"event-{sequence.Length - i}", i == 0 ? AuditAction.Insert : AuditAction.Update, s)).ToList();
        // The next minute's change, numbered low: the time orders entries first, the sequence number within a time.
        written.Add(Entry("order-1", minute.AddMinutes(1), "event-0", AuditAction.Delete, "12"));
        foreach (var entry in written.AsEnumerable().Reverse())
        {
            await _data.Audit.WriteAsync(entry, Ct);
        }

        var pages = await DataScope.AllPagesAsync(p => _data.Audit.HistoryAsync("Order", "order-1", p, Ct), limit: 4);

        Assert.Equal(Enumerable.Reverse(written).Select(e => e.SequenceNumber), pages.SelectMany(p => p).Select(e => e.SequenceNumber));
        Assert.Equal(Enumerable.Reverse(written), pages.SelectMany(p => p));
    }

    [Fact]
    public async Task An_entry_stored_before_sequence_numbers_were_kept_still_reads_back_in_time_order()
    {
        var current = Entry("order-1", DataScope.Start.AddMinutes(1), "event-new", sequenceNumber: "000000000000000000007");
        await _data.Audit.WriteAsync(current, Ct);
        // Schema version 1: keyed changedAt#eventId, with no sequenceNumber attribute.
        var legacy = AuditEntryMapper.ToItem(Entry("order-1", DataScope.Start, "event-old", AuditAction.Insert), DataScope.Start.AddDays(365));
        legacy[Attr.SK] = Av.S(SortableTime.Format(DataScope.Start) + "#event-old");
        legacy[Attr.SchemaVersion] = Av.N(1);
        legacy.Remove(Attr.SequenceNumber);
        await _data.Table.Admin.PutItemAsync(new PutItemRequest { TableName = _data.Table.Name, Item = legacy }, Ct);

        var history = (await _data.Audit.HistoryAsync("Order", "order-1", new(), Ct)).Items;

        Assert.Equal(["event-new", "event-old"], history.Select(e => e.EventId));
        Assert.Null(history[1].SequenceNumber);
    }

    [Fact]
    public async Task Entries_past_their_retention_are_not_returned_even_before_DynamoDB_removes_them()
    {
        await _data.Audit.WriteAsync(Entry("order-1", DataScope.Start.AddDays(-400), "old"), Ct);
        await _data.Audit.WriteAsync(Entry("order-1", DataScope.Start.AddDays(-1), "recent"), Ct);

        var history = await _data.Audit.HistoryAsync("Order", "order-1", new(), Ct);

        Assert.Equal(["recent"], history.Items.Select(e => e.EventId));
    }

    [Fact]
    public async Task An_invalid_entry_is_rejected_and_nothing_is_written()
    {
        var valid = Entry("order-1", DataScope.Start, "event-1");

        await Assert.ThrowsAsync<ValidationException>(() => _data.Audit.WriteAsync(valid with { EventId = "" }, Ct));
        await Assert.ThrowsAsync<ValidationException>(() => _data.Audit.WriteAsync(valid with { OldValues = null }, Ct));
        // The sequence number orders the key as a zero-padded number: anything else would sort wrongly.
        foreach (var sequenceNumber in new[] { null, "", "12a", "-1", new string('1', 41) })
        {
            var error = await Assert.ThrowsAsync<ValidationException>(() => _data.Audit.WriteAsync(valid with { SequenceNumber = sequenceNumber }, Ct));
            Assert.Contains(error.Errors, e => e.Field == "sequenceNumber");
        }

        await Assert.ThrowsAsync<ValidationException>(() => _data.Audit.WriteAsync(valid with { EntityType = new string('E', 51) }, Ct));
        // Over 400 KB stored: a validation error before DynamoDB would refuse the item.
        await Assert.ThrowsAsync<ValidationException>(() => _data.Audit.WriteAsync(valid with { NewValues = new string('x', 410 * 1024) }, Ct));
        await Assert.ThrowsAsync<ValidationException>(() => _data.Audit.HistoryAsync("", "order-1", new(), Ct));

        Assert.Empty(await _data.AllItemsAsync());
    }
}
