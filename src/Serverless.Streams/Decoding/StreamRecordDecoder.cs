using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;
using Serverless.Lambda.Events;

namespace Serverless.Streams.Decoding;

/// <summary>
/// Reads a DynamoDB stream record (as Lambda delivers it) into a <see cref="StreamChange"/>. Decoding never fails on
/// what a consumer may simply not handle (unknown eventName or entity type, no images): those come back with
/// <see cref="ChangeKind.Unknown"/> or a null / unknown <see cref="StreamChange.EntityType"/> for the consumer to skip.
/// </summary>
public static class StreamRecordDecoder
{
    /// <exception cref="StreamRecordDecodingException">The record has no eventID or an attribute value without a type.</exception>
    public static StreamChange Decode(DynamoDBEventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var stream = record.Dynamodb;
        var eventId = record.EventId is { Length: > 0 } id
            ? id
            : throw new StreamRecordDecodingException("The record has no eventID.");
        var kind = KindOf(record.EventName);
        var oldItem = StreamImage.ToAttributeValues(stream?.OldImage);
        var newItem = StreamImage.ToAttributeValues(stream?.NewImage);
        var isTtl = kind == ChangeKind.Remove && record.UserIdentity?.IsTimeToLiveDeletion == true;

        return new StreamChange
        {
            EventId = eventId,
            Kind = kind,
            EventName = record.EventName,
            SequenceNumber = stream?.SequenceNumber,
            ChangedAt = stream?.ApproximateCreationDateTime,
            Key = KeyOf(stream?.Keys),
            EntityType = StringOf(newItem, Attr.EntityType) ?? StringOf(oldItem, Attr.EntityType),
            OldItem = oldItem,
            NewItem = newItem,
            IsTimeToLiveDeletion = isTtl,
            ChangedBy = isTtl
                ? Writers.TimeToLive
                : StringOf(kind == ChangeKind.Remove ? oldItem : newItem, Attr.LastWriter) ?? Writers.Unknown,
        };
    }

    public static ChangeKind KindOf(string? eventName) => eventName switch
    {
        "INSERT" => ChangeKind.Insert,
        "MODIFY" => ChangeKind.Modify,
        "REMOVE" => ChangeKind.Remove,
        _ => ChangeKind.Unknown,
    };

    private static ItemKey? KeyOf(Dictionary<string, DynamoDBAttributeValue>? keys) =>
        keys is not null
        && keys.TryGetValue(Attr.PK, out var pk) && pk.S is { } partition
        && keys.TryGetValue(Attr.SK, out var sk) && sk.S is { } sort
            ? new ItemKey(partition, sort)
            : null;

    private static string? StringOf(Dictionary<string, AttributeValue>? item, string name) =>
        item is not null && item.TryGetValue(name, out var value) ? value.S : null;
}
