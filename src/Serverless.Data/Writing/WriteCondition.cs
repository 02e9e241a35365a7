using Amazon.DynamoDBv2.Model;
using Serverless.Data.Mapping;
using Serverless.Data.Table;

namespace Serverless.Data.Writing;

/// <summary>A condition expression with its own names and values; every write in this layer carries one or says why not.</summary>
public sealed record WriteCondition(
    string Expression,
    IReadOnlyDictionary<string, string>? Names = null,
    IReadOnlyDictionary<string, AttributeValue>? Values = null)
{
    /// <summary>The item must not exist yet (create). PK is present on every item, so its absence means no item.</summary>
    public static WriteCondition NotExists { get; } = new("attribute_not_exists(#pk)", new Dictionary<string, string> { ["#pk"] = Attr.PK });

    /// <summary>The item must exist (update or delete of something that may have gone).</summary>
    public static WriteCondition Exists { get; } = new("attribute_exists(#pk)", new Dictionary<string, string> { ["#pk"] = Attr.PK });

    /// <summary>
    /// The item must not exist, or must have expired (ttl passed but not yet removed by DynamoDB): an expired
    /// item is gone for readers, so it must be gone for uniqueness too.
    /// </summary>
    public static WriteCondition NotExistsOrExpired(DateTimeOffset now) => new(
        "attribute_not_exists(#pk) OR #ttl <= :now",
        new Dictionary<string, string> { ["#pk"] = Attr.PK, ["#ttl"] = Attr.Ttl },
        new Dictionary<string, AttributeValue> { [":now"] = Av.N(now.ToUnixTimeSeconds()) });

    /// <summary>Optimistic concurrency: the stored version is the one the caller read.</summary>
    public static WriteCondition VersionIs(long expectedVersion) => new(
        "#version = :expectedVersion",
        new Dictionary<string, string> { ["#version"] = Attr.Version },
        new Dictionary<string, AttributeValue> { [":expectedVersion"] = Av.N(expectedVersion) });

    /// <summary>An index item still points at this user (e.g. the email marker has not been re-claimed).</summary>
    public static WriteCondition BelongsTo(Guid userId) => new(
        "#userId = :userId",
        new Dictionary<string, string> { ["#userId"] = Attr.UserId },
        new Dictionary<string, AttributeValue> { [":userId"] = Av.Guid(userId) });

    internal Dictionary<string, string>? NamesCopy() => Names is null ? null : new(Names, StringComparer.Ordinal);

    internal Dictionary<string, AttributeValue>? ValuesCopy() => Values is null ? null : new(Values, StringComparer.Ordinal);
}
