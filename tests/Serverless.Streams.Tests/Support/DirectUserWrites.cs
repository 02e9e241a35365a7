using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Caching;
using Serverless.Data.Table;
using Serverless.Testing;
using StackExchange.Redis;

namespace Serverless.Streams.Tests.Support;

/// <summary>What the cache tests of writers behind the API's back share: the write, and how its invalidation is seen.</summary>
internal static class DirectUserWrites
{
    /// <summary>A migration's kind of write: the user item's version bumped with a plain UpdateItem; the new version, or null when the user is gone.</summary>
    public static async Task<long?> VersionBumpAsync(TestTable table, Guid id)
    {
        try
        {
            var response = await table.Admin.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = table.Name,
                Key = Keys.User(id).ToAttributes(),
                UpdateExpression = "SET #v = #v + :one, #w = :writer",
                ConditionExpression = "attribute_exists(#v)",
                ExpressionAttributeNames = new() { ["#v"] = Attr.Version, ["#w"] = Attr.LastWriter },
                ExpressionAttributeValues = new() { [":one"] = new AttributeValue { N = "1" }, [":writer"] = new AttributeValue { S = "migration:test" } },
                ReturnValues = Amazon.DynamoDBv2.ReturnValue.UPDATED_NEW,
            });
            return long.Parse(response.Attributes[Attr.Version].N, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    /// <summary>The cache entry at <paramref name="key"/>, read straight from redis-server.</summary>
    public static async Task<CacheEntry?> EntryAsync(IConnectionMultiplexer redis, string key) =>
        await redis.GetDatabase().StringGetAsync(key) is { HasValue: true } value ? CacheEntry.Decode((byte[])value!) : null;

    /// <summary>Nothing older than <paramref name="version"/> can be read from the entry any more.</summary>
    public static bool Invalidated(CacheEntry? entry, long version) =>
        entry is null || entry.Kind == CacheEntryKind.Negative || entry.Version >= version;

    public static void InterlockedMax(ref long slot, long value)
    {
        var seen = Volatile.Read(ref slot);
        while (value > seen && Interlocked.CompareExchange(ref slot, value, seen) is var was && was != seen)
        {
            seen = was;
        }
    }
}
