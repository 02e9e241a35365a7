using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Table;

namespace Serverless.Streams.Decoding;

/// <summary>
/// One stream record read in the table's terms: what changed (entity type and key), how (insert, modify, remove),
/// who did it and when, and both images as the SDK's attribute values. Typed entities are read on demand
/// (<see cref="ReadOld{T}"/>, <see cref="ReadNew{T}"/>), so a consumer only pays for, and only fails on, what it uses.
/// </summary>
public sealed record StreamChange
{
    /// <summary>The stream record's eventID: unique per change, the same on every redelivery.</summary>
    public required string EventId { get; init; }

    public required ChangeKind Kind { get; init; }

    /// <summary>The raw eventName, for logs of records whose <see cref="Kind"/> is unknown.</summary>
    public string? EventName { get; init; }

    public string? SequenceNumber { get; init; }

    /// <summary>ApproximateCreationDateTime (sent in epoch seconds or milliseconds; both are read).</summary>
    public DateTimeOffset? ChangedAt { get; init; }

    /// <summary>The item's PK/SK, from the record's Keys; null when the keys are not the table's string keys.</summary>
    public ItemKey? Key { get; init; }

    /// <summary>The image's <c>entityType</c> (new image, else old); null when neither image carries one.</summary>
    public string? EntityType { get; init; }

    /// <summary>True when <see cref="EntityType"/> is one of <see cref="EntityTypes.All"/>.</summary>
    public bool IsKnownEntityType => EntityReaders.IsKnown(EntityType);

    public IReadOnlyDictionary<string, AttributeValue>? OldItem { get; init; }

    public IReadOnlyDictionary<string, AttributeValue>? NewItem { get; init; }

    /// <summary>A REMOVE made by DynamoDB's TTL (userIdentity type Service, principal dynamodb.amazonaws.com).</summary>
    public bool IsTimeToLiveDeletion { get; init; }

    /// <summary>
    /// Who made the change: <see cref="Writers.TimeToLive"/> for a TTL deletion; otherwise the <c>lastWriter</c> of
    /// the new image (insert, modify) or, for a remove, of the old image (a delete leaves no new image, so the last
    /// writer of the removed version is the best the stream can tell); <see cref="Writers.Unknown"/> when absent.
    /// </summary>
    public required string ChangedBy { get; init; }

    /// <summary>The old image as its entity (e.g. <c>Domain.Users.User</c>); null when there is no old image.</summary>
    /// <exception cref="StreamRecordDecodingException">Unknown entity type, or the image does not map to it.</exception>
    public object? ReadOld() => Read(OldItem, "OldImage");

    /// <inheritdoc cref="ReadOld"/>
    public object? ReadNew() => Read(NewItem, "NewImage");

    /// <summary>The old image as a <typeparamref name="T"/>; null when there is no old image.</summary>
    /// <exception cref="StreamRecordDecodingException">The image is not a <typeparamref name="T"/> or does not map.</exception>
    public T? ReadOld<T>() where T : class => As<T>(ReadOld(), "OldImage");

    /// <inheritdoc cref="ReadOld{T}"/>
    public T? ReadNew<T>() where T : class => As<T>(ReadNew(), "NewImage");

    /// <summary>
    /// The id the audit trail files the change under: the entity's id, "orderId/productId" for an order item,
    /// "userId/roleId" for a user-role link, the user's id for the user's index items.
    /// </summary>
    /// <exception cref="StreamRecordDecodingException">As <see cref="ReadNew"/>.</exception>
    public string RecordId()
    {
        if ((NewItem ?? OldItem) is { } item && IsKnownEntityType)
        {
            try
            {
                if (EntityReaders.RecordIdOfItem(EntityType!, item) is { } id)
                {
                    return id;
                }
            }
            catch (InvalidItemException e)
            {
                throw new StreamRecordDecodingException($"The {(NewItem is null ? "OldImage" : "NewImage")} of record {EventId} is not a valid {EntityType} item.", e);
            }
        }

        var entity = ReadNew() ?? ReadOld()
            ?? throw new StreamRecordDecodingException($"Record {EventId} ({EntityType}) has neither image, so it names no record.");
        return EntityReaders.RecordId(EntityType!, entity);
    }

    private object? Read(IReadOnlyDictionary<string, AttributeValue>? item, string side)
    {
        if (!IsKnownEntityType)
        {
            throw new StreamRecordDecodingException($"Record {EventId} has entity type '{EntityType}', which has no reader.");
        }

        if (item is null)
        {
            return null;
        }

        try
        {
            return EntityReaders.Read(EntityType!, item);
        }
        catch (InvalidItemException e)
        {
            // The inner message can quote a key (an email marker's key is an email), so it is kept out of ours.
            throw new StreamRecordDecodingException($"The {side} of record {EventId} is not a valid {EntityType} item.", e);
        }
    }

    private T? As<T>(object? entity, string side) where T : class => entity switch
    {
        null => null,
        T typed => typed,
        _ => throw new StreamRecordDecodingException($"The {side} of record {EventId} is a {EntityType}, not a {typeof(T).Name}."),
    };
}
