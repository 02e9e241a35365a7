using System.Text.Json;
using Serverless.Data.Products;
using Serverless.Domain.Audit;
using Serverless.Domain.Products;
using Serverless.Streams.Audit;
using Serverless.Streams.Decoding;
using Serverless.Streams.Tests.Support;

namespace Serverless.Streams.Tests.Audit;

public sealed class AuditEntryOfTests
{
    private static readonly Product Tea = new() { Id = Guid.NewGuid(), Name = "Tea", Price = 3.5m, Version = 1, LastWriter = "user:carol" };

    [Fact]
    public void An_entry_is_keyed_by_the_record_and_carries_both_images_whole()
    {
        var after = Tea with { Price = 4m, Version = 2, LastWriter = "user:dave" };
        var record = StreamEvents.Record("MODIFY", ProductMapper.ToItem(Tea), ProductMapper.ToItem(after), eventId: "event-1", sequenceNumber: "4050000000000002063282832");

        var entry = AuditFunction.AuditEntryOf(StreamRecordDecoder.Decode(record));

        Assert.Equal(("Product", Tea.Id.ToString("D"), AuditAction.Update, "user:dave", "event-1", "4050000000000002063282832"),
            (entry.EntityType, entry.RecordId, entry.Action, entry.ChangedBy, entry.EventId, entry.SequenceNumber));
        Assert.Equal(record.Dynamodb!.ApproximateCreationDateTime, entry.ChangedAt);
        Assert.Equal(3.5m, Json(entry.OldValues).GetProperty("price").GetDecimal());
        Assert.Equal("Tea", Json(entry.NewValues).GetProperty("name").GetString());
    }

    [Fact]
    public void Images_too_large_for_one_item_together_keep_only_the_changed_attributes()
    {
        var big = Tea with { Description = new string('x', 210 * 1024) };
        var renamed = big with { Name = "Green tea", Version = 2 };

        var entry = AuditFunction.AuditEntryOf(StreamRecordDecoder.Decode(StreamEvents.Record("MODIFY", ProductMapper.ToItem(big), ProductMapper.ToItem(renamed))));

        Assert.Equal(["name", "version"], Json(entry.NewValues).EnumerateObject().Select(p => p.Name));
        Assert.Equal("Tea", Json(entry.OldValues).GetProperty("name").GetString());
    }

    [Fact]
    public void Changes_too_large_even_alone_keep_the_changed_attribute_names()
    {
        var before = Tea with { Description = new string('x', 250 * 1024) };
        var after = Tea with { Description = new string('y', 250 * 1024), Version = 2 };

        var entry = AuditFunction.AuditEntryOf(StreamRecordDecoder.Decode(StreamEvents.Record("MODIFY", ProductMapper.ToItem(before), ProductMapper.ToItem(after))));

        Assert.True(Json(entry.NewValues).GetProperty("truncated").GetBoolean());
        Assert.Equal(["description", "version"], Json(entry.OldValues).GetProperty("attributes").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public void A_record_without_its_creation_time_cannot_be_keyed_and_fails()
    {
        var record = StreamEvents.Record("INSERT", null, ProductMapper.ToItem(Tea));
        record.Dynamodb!.ApproximateCreationDateTime = null;

        var error = Assert.Throws<StreamRecordDecodingException>(() => AuditFunction.AuditEntryOf(StreamRecordDecoder.Decode(record)));

        Assert.Contains("ApproximateCreationDateTime", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("49e1a2")]
    [InlineData("12345678901234567890123456789012345678901")]
    public void A_record_without_a_decimal_sequence_number_cannot_be_ordered_and_fails(string? sequenceNumber)
    {
        var record = StreamEvents.Record("INSERT", null, ProductMapper.ToItem(Tea));
        record.Dynamodb!.SequenceNumber = sequenceNumber;

        var error = Assert.Throws<StreamRecordDecodingException>(() => AuditFunction.AuditEntryOf(StreamRecordDecoder.Decode(record)));

        Assert.Contains("SequenceNumber", error.Message, StringComparison.Ordinal);
    }

    private static JsonElement Json(string? text) => JsonDocument.Parse(text!).RootElement;
}
