using Serverless.Domain.Users;

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

    /// <summary>
    /// The user item exists and is not soft-deleted: what anything that refers to a user checks in its own
    /// transaction (a purge cascade that already ran would never find a reference added after it).
    /// </summary>
    public static WriteCondition UserIsLive { get; } = new(
        "attribute_exists(#pk) AND #status <> :deleted",
        new Dictionary<string, string> { ["#pk"] = Attr.PK, ["#status"] = Attr.Status },
        new Dictionary<string, AttributeValue> { [":deleted"] = Av.S(UserStatus.Deleted.ToName()) });

    /// <summary>An index item still points at this user (e.g. the email marker has not been re-claimed).</summary>
    public static WriteCondition BelongsTo(Guid userId) => new(
        "#userId = :userId",
        new Dictionary<string, string> { ["#userId"] = Attr.UserId },
        new Dictionary<string, AttributeValue> { [":userId"] = Av.Guid(userId) });

    /// <summary>
    /// A denormalized copy of a user on an existing order is older than <paramref name="userVersion"/>. Exists: an
    /// update must not create a header-less stub for an order that was deleted or purged. Older only: streams deliver
    /// at least once and records may arrive late, so the newest user data wins whatever order they come in.
    /// </summary>
    public static WriteCondition OlderUserVersion(long userVersion) => new(
        "attribute_exists(#pk) AND (attribute_not_exists(#userVersion) OR #userVersion < :userVersion)",
        new Dictionary<string, string> { ["#pk"] = Attr.PK, ["#userVersion"] = Attr.UserVersion },
        new Dictionary<string, AttributeValue> { [":userVersion"] = Av.N(userVersion) });

    /// <summary>The item's ttl has passed by <paramref name="now"/> (it is expired, whether or not DynamoDB has removed it yet).</summary>
    public static WriteCondition ExpiredBy(DateTimeOffset now) => new(
        "#ttl <= :now",
        new Dictionary<string, string> { ["#ttl"] = Attr.Ttl },
        new Dictionary<string, AttributeValue> { [":now"] = Av.EpochSeconds(now) });

    internal Dictionary<string, string>? NamesCopy() => Names is null ? null : new(Names, StringComparer.Ordinal);

    internal Dictionary<string, AttributeValue>? ValuesCopy() => Values is null ? null : new(Values, StringComparer.Ordinal);
}
