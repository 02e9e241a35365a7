using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Caching;
using Serverless.Data.Table;
using Serverless.Lambda.Batch;
using Serverless.Lambda.Events;
using Serverless.Streams.Decoding;

namespace Serverless.Streams.Cache;

/// <summary>
/// Keeps the user cache right for every writer, not only the API: a migration, <c>rotate-keys</c>, the seeder, the
/// purge and DynamoDB's TTL write the table without passing through the API's invalidation, and this function sees
/// their changes on the stream. For each change of a user item it leaves the cache's tombstone at the version now
/// stored (for a removal: past the last one), on the user's entry and on the keys of the emails it held before and
/// after (their blind indexes, read from the images: no key and no decryption needed), and moves the active-users
/// pages' generation. A cache that cannot be reached fails the record, so Lambda delivers it again.
/// </summary>
public sealed class CacheInvalidationFunction(UserCache cache) : IDynamoDBRecordHandler
{
    /// <summary>How long one record's invalidation is tried (within the invocation's deadline) before the record fails.</summary>
    public static readonly TimeSpan Persistence = TimeSpan.FromSeconds(10);

    public async ValueTask<RecordResult> HandleAsync(DynamoDBEventRecord record, CancellationToken cancellationToken)
    {
        var change = StreamRecordDecoder.Decode(record);
        if (StreamSkips.Unhandled(change) is { } skip)
        {
            return skip;
        }

        if (change.EntityType != EntityTypes.User)
        {
            return RecordResult.Ignored($"a {change.EntityType} is not cached");
        }

        if (!cache.IsEnabled)
        {
            return RecordResult.Ignored("no cache is configured (Cache__Endpoint)");
        }

        var image = change.NewItem ?? change.OldItem
            ?? throw new StreamRecordDecodingException($"Record {change.EventId} changes a user but carries no image (the stream must be NEW_AND_OLD_IMAGES).");
        if (!image.TryGetValue(Attr.Id, out var idValue) || !Guid.TryParse(idValue.S, out var id))
        {
            throw new StreamRecordDecodingException($"Record {change.EventId}: the user image has no valid '{Attr.Id}'.");
        }

        // A removal leaves no version behind: the tombstone is one past the last, so that version cannot come back.
        var version = change.NewItem is { } stored ? VersionOf(stored) : VersionOf(change.OldItem!) + 1;
        // Only blind indexes: an item from before encryption has none (and is never cached).
        var tokens = new[] { change.OldItem, change.NewItem }
            .Where(i => i is not null && i.TryGetValue(Attr.EmailToken, out var t) && !string.IsNullOrEmpty(t.S))
            .Select(i => i![Attr.EmailToken].S)
            .ToList();
        // Tried again here before the record fails: Lambda's retries of a batch are few and quick (template.yaml: five),
        // and a cache that is reconnecting would see them all fail, the change then left uninvalidated until its entry expires.
        if (!await cache.InvalidateAsync(id, version, tokens, Persistence, cancellationToken).ConfigureAwait(false))
        {
            throw new CacheUnavailableException($"Record {change.EventId}: the cache could not be reached to invalidate user {id:D}; the record is retried.");
        }

        return RecordResult.Processed;
    }

    private static long VersionOf(IReadOnlyDictionary<string, AttributeValue> item) =>
        item.TryGetValue(Attr.Version, out var v) && long.TryParse(v.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var version) ? version : 0;
}

/// <summary>The cache did not answer an invalidation; its message names the record and the user id, never PII.</summary>
public sealed class CacheUnavailableException(string message) : Exception(message);
