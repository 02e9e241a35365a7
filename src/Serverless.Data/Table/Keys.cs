using Serverless.Domain.Comments;

namespace Serverless.Data.Table;

/// <summary>Primary keys of every item type. Ids are lower-case "D" GUIDs everywhere.</summary>
public static class Keys
{
    public static string Id(Guid id) => id.ToString("D");

    public static string UserPartition(Guid userId) => KeyPrefix.User + Id(userId);

    public static ItemKey User(Guid userId) => new(UserPartition(userId), KeyPrefix.ProfileSort);

    /// <param name="emailToken">The normalized email's blind index (<c>UserProtection.EmailToken</c>); never the email.</param>
    public static ItemKey EmailMarker(string emailToken) => new(KeyPrefix.Email + emailToken, KeyPrefix.EmailSort);

    /// <param name="wordToken">A name word stem's blind index (<c>UserProtection.WordToken</c>).</param>
    public static ItemKey UserWord(Guid userId, string wordToken) => new(UserPartition(userId), KeyPrefix.Word + wordToken);

    /// <param name="cityToken">A normalized city's blind index (<c>UserProtection.CityToken</c>).</param>
    public static ItemKey UserCity(Guid userId, string cityToken) => new(UserPartition(userId), KeyPrefix.City + cityToken);

    public static ItemKey UserRole(Guid userId, Guid roleId) => new(UserPartition(userId), KeyPrefix.Role + Id(roleId));

    public static string OrderPartition(Guid orderId) => KeyPrefix.Order + Id(orderId);

    public static ItemKey Order(Guid orderId) => new(OrderPartition(orderId), KeyPrefix.OrderSort);

    public static ItemKey OrderItem(Guid orderId, Guid productId) => new(OrderPartition(orderId), KeyPrefix.Item + Id(productId));

    public static ItemKey Product(Guid productId) => new(KeyPrefix.Product + Id(productId), KeyPrefix.ProductSort);

    public static ItemKey Role(Guid roleId) => new(KeyPrefix.Role + Id(roleId), KeyPrefix.RoleSort);

    /// <param name="normalizedName">See <c>RoleName.Normalize</c>.</param>
    public static ItemKey RoleNameMarker(string normalizedName) => new(KeyPrefix.RoleName + normalizedName, KeyPrefix.RoleNameSort);

    /// <summary>The partition holding the comments on one target: POST#id, PRODUCT#id or USER#id.</summary>
    public static string CommentPartition(CommentTarget targetType, Guid targetId) => targetType switch
    {
        CommentTarget.Post => KeyPrefix.Post + Id(targetId),
        CommentTarget.Product => KeyPrefix.Product + Id(targetId),
        CommentTarget.User => KeyPrefix.User + Id(targetId),
        _ => throw new ArgumentOutOfRangeException(nameof(targetType), targetType, "Unknown comment target."),
    };

    /// <summary>Sorted by creation time so "comments on a target, newest first" is one backwards Query.</summary>
    public static ItemKey Comment(CommentTarget targetType, Guid targetId, DateTimeOffset createdAt, Guid commentId) =>
        new(CommentPartition(targetType, targetId), KeyPrefix.Comment + SortableTime.Format(createdAt) + "#" + Id(commentId));

    /// <param name="entityType">The audited entity's type (User, Order, ...).</param>
    public static string AuditPartition(string entityType, string recordId) => KeyPrefix.Audit + entityType + "#" + recordId;

    /// <summary>
    /// <c>&lt;time&gt;#&lt;sequence number, 40 digits&gt;#&lt;eventID&gt;</c>: the stream's time orders a record's
    /// changes across seconds (minutes on DynamoDB Local), and the sequence number, which grows along the shard
    /// lineage that carries all of one item's records, orders the changes that share a time. The event id keeps the
    /// records of two streams apart should their numbers meet (DynamoDB Local numbers each new stream from 1). All
    /// three come from the stream record, so a redelivered record rewrites the same item instead of adding one.
    /// </summary>
    /// <exception cref="ArgumentException">The sequence number is not 1 to 40 decimal digits.</exception>
    public static ItemKey AuditEntry(string entityType, string recordId, DateTimeOffset changedAt, string sequenceNumber, string eventId) =>
        new(AuditPartition(entityType, recordId), SortableTime.Format(changedAt) + "#" + SortableSequenceNumber.Format(sequenceNumber) + "#" + eventId);

    public static string MigrationPartition(string migrationId) => KeyPrefix.Migration + migrationId;

    /// <summary>A migration's checkpoint: one per migration, rewritten as the run goes.</summary>
    public static ItemKey MigrationRun(string migrationId) => new(MigrationPartition(migrationId), KeyPrefix.MigrationRunSort);

    /// <summary>Sort-key prefix of a migration's failure items in one direction ("up", "down"), or in all when null.</summary>
    public static string MigrationFailurePrefix(string? direction) =>
        direction is null ? KeyPrefix.MigrationFailure : KeyPrefix.MigrationFailure + direction + "#";

    /// <summary>One per item a migration could not change in one direction: the same item failing again overwrites it.</summary>
    public static ItemKey MigrationFailure(string migrationId, string direction, ItemKey failed) =>
        new(MigrationPartition(migrationId), MigrationFailurePrefix(direction) + failed.PK + "#" + failed.SK);

    /// <param name="recordHash">The hash of the caller, method, route and key (<c>IdempotencyKeys.RecordHash</c>): neither the key nor the caller in clear.</param>
    public static ItemKey IdempotencyRecord(string recordHash) => new(KeyPrefix.Idempotency + recordHash, KeyPrefix.IdempotencySort);
}
