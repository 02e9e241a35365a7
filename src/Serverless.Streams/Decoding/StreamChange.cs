using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Orders;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Users;

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
    /// The old image as its entity, its PII decrypted with <paramref name="privacy"/> (the keyring and the users' keys of
    /// the table: a consumer given them needs the table's KEYRING and PROFILE#KEY items and the root key's decrypt); other
    /// entity types as <see cref="ReadOld"/>. An order whose user has been erased reads with its copies as
    /// <see cref="ProtectedFields.Erased"/>; a user who has been erased cannot be read.
    /// </summary>
    /// <exception cref="StreamRecordDecodingException">As <see cref="ReadOld"/>; or a field does not decrypt (the user's key is
    /// erased, or the ciphertext is tampered or another user's): the message names the record and the field, never a value.</exception>
    public Task<object?> ReadOldAsync(FieldProtection privacy, CancellationToken cancellationToken) =>
        ReadOpenedAsync(OldItem, "OldImage", privacy, cancellationToken);

    /// <inheritdoc cref="ReadOldAsync"/>
    public Task<object?> ReadNewAsync(FieldProtection privacy, CancellationToken cancellationToken) =>
        ReadOpenedAsync(NewItem, "NewImage", privacy, cancellationToken);

    /// <inheritdoc cref="ReadOldAsync"/>
    public async Task<T?> ReadOldAsync<T>(FieldProtection privacy, CancellationToken cancellationToken) where T : class =>
        As<T>(await ReadOldAsync(privacy, cancellationToken).ConfigureAwait(false), "OldImage");

    /// <inheritdoc cref="ReadOldAsync"/>
    public async Task<T?> ReadNewAsync<T>(FieldProtection privacy, CancellationToken cancellationToken) where T : class =>
        As<T>(await ReadNewAsync(privacy, cancellationToken).ConfigureAwait(false), "NewImage");

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

    private async Task<object?> ReadOpenedAsync(
        IReadOnlyDictionary<string, AttributeValue>? item, string side, FieldProtection privacy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(privacy);
        if (item is null || !IsKnownEntityType)
        {
            return Read(item, side);
        }

        var sealedUser = EntityType == EntityTypes.User && UserProtection.IsSealed(item);
        var sealedOrder = EntityType == EntityTypes.Order && OrderProtection.IsSealed(item);
        if (!sealedUser && !sealedOrder)
        {
            return Read(item, side);
        }

        Guid owner;
        try
        {
            owner = new ItemReader(item).Guid(sealedUser ? Attr.Id : Attr.UserId);
        }
        catch (InvalidItemException e)
        {
            throw new StreamRecordDecodingException($"The {side} of record {EventId} is not a valid {EntityType} item.", e);
        }

        // Consistent: a user's key is written in the same transaction as the user, and a record can arrive before an
        // eventually consistent read would see it.
        var keys = await privacy.ForUserAsync(owner, consistent: true, cancellationToken).ConfigureAwait(false);
        try
        {
            var opened = sealedUser ? UserProtection.Open(item, keys) : OrderProtection.Open(item, keys);
            return Read(opened, side);
        }
        catch (FieldDecryptionException e)
        {
            throw new StreamRecordDecodingException($"The {side} of record {EventId} ({EntityType}) does not decrypt: {e.Message}", e);
        }
    }

    private T? As<T>(object? entity, string side) where T : class => entity switch
    {
        null => null,
        T typed => typed,
        _ => throw new StreamRecordDecodingException($"The {side} of record {EventId} is a {EntityType}, not a {typeof(T).Name}."),
    };
}
