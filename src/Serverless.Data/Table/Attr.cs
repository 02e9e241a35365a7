namespace Serverless.Data.Table;

/// <summary>Every attribute name stored in the table, so a rename is one edit and the approval tests catch it.</summary>
public static class Attr
{
    // Keys of the table and of its indexes.
    public const string PK = "PK";
    public const string SK = "SK";
    public const string Gsi1PK = "GSI1PK";
    public const string Gsi1SK = "GSI1SK";
    public const string EmailKey = "emailKey";

    /// <summary>The email's blind index on the user item, kept while the user is deleted too (the purge finds the marker by it).</summary>
    public const string EmailToken = "emailToken";

    /// <summary>The blind key version of the user item's tokens and of its marker, word and city items.</summary>
    public const string BlindVersion = "blindVersion";

    /// <summary>On a user item the encryption migration sealed: the plaintext schema version it had, which its rollback restores.</summary>
    public const string SealedFrom = "sealedFrom";
    public const string YearMonth = "yearMonth";
    public const string CreatedAt = "createdAt";

    // On every item.
    public const string EntityType = "entityType";
    public const string SchemaVersion = "schemaVersion";
    public const string LastWriter = "lastWriter";
    public const string Ttl = "ttl";

    // On every entity item.
    public const string Version = "version";
    public const string UpdatedAt = "updatedAt";
    public const string Id = "id";

    // User.
    public const string Email = "email";
    public const string Name = "name";
    public const string PasswordHash = "passwordHash";
    public const string Status = "status";
    public const string Metadata = "metadata";
    public const string Profile = "profile";
    public const string Avatar = "avatar";
    public const string Bio = "bio";
    public const string Preferences = "preferences";
    public const string Addresses = "addresses";
    public const string Type = "type";
    public const string Street = "street";
    public const string City = "city";
    public const string Country = "country";
    public const string IsDefault = "isDefault";
    public const string Balance = "balance";
    public const string Phone = "phone";
    public const string DeletedAt = "deletedAt";
    public const string PurgeAfter = "purgeAfter";

    // Index items of a user (email marker, name word, address city).
    public const string UserId = "userId";
    public const string Term = "term";

    // Order and order item.
    public const string Total = "total";
    public const string OrderedAt = "orderedAt";
    public const string UserEmail = "userEmail";
    public const string UserName = "userName";
    public const string UserVersion = "userVersion";
    public const string OrderId = "orderId";
    public const string ProductId = "productId";
    public const string ProductName = "productName";
    public const string Quantity = "quantity";
    public const string UnitPrice = "unitPrice";

    // Product and role.
    public const string Description = "description";
    public const string Price = "price";
    public const string RoleId = "roleId";
    public const string RoleName = "roleName";
    public const string AssignedAt = "assignedAt";

    // Comment.
    public const string TargetType = "targetType";
    public const string TargetId = "targetId";
    public const string AuthorId = "authorId";
    public const string Content = "content";

    // Audit entry ("recordType" because entityType already names the item's own type, AuditEntry).
    public const string RecordType = "recordType";
    public const string RecordId = "recordId";
    public const string Action = "action";
    public const string ChangedBy = "changedBy";
    public const string ChangedAt = "changedAt";
    public const string OldValues = "oldValues";
    public const string NewValues = "newValues";
    public const string EventId = "eventId";
    public const string SequenceNumber = "sequenceNumber";

    // A migration's checkpoint and failure items.
    public const string Direction = "direction";
    public const string State = "state";
    public const string Segments = "segments";
    public const string SegmentDone = "done";
    public const string SegmentLastKey = "lastKey";
    public const string Examined = "examined";
    public const string Changed = "changed";
    public const string Skipped = "skipped";
    public const string Failed = "failed";
    public const string AlreadyDone = "alreadyDone";
    public const string RatePerSecond = "ratePerSecond";
    public const string StartedAt = "startedAt";
    public const string CompletedAt = "completedAt";
    public const string FailedItemPK = "itemPK";
    public const string FailedItemSK = "itemSK";
    public const string Reason = "reason";

    // An idempotency record (src/Serverless.Data/Idempotency/); its state is in "status" (inProgress, completed).
    public const string PayloadHash = "payloadHash";
    public const string ClaimToken = "claimToken";
    public const string InProgressUntil = "inProgressUntil";
    public const string ResponseStatus = "responseStatus";
    public const string ResponseHeaders = "responseHeaders";
    public const string ResponseBody = "responseBody";
}
