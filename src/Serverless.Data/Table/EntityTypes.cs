namespace Serverless.Data.Table;

/// <summary>The <c>entityType</c> of every kind of item; stream consumers route on it.</summary>
public static class EntityTypes
{
    public const string User = "User";
    public const string EmailMarker = "EmailMarker";
    public const string UserWord = "UserWord";
    public const string UserCity = "UserCity";
    public const string Order = "Order";
    public const string OrderItem = "OrderItem";
    public const string Product = "Product";
    public const string Role = "Role";
    public const string RoleNameMarker = "RoleNameMarker";
    public const string UserRole = "UserRole";
    public const string Comment = "Comment";
    public const string AuditEntry = "AuditEntry";

    // A migration's own bookkeeping (its checkpoint, and one item per item it could not migrate); no entity of the seed.
    public const string MigrationRun = "MigrationRun";
    public const string MigrationFailure = "MigrationFailure";

    // Keys (docs/privacy.md): a keyring version (KEYRING / FIELD#n, BLIND#n) and a user's own key (USER#id / PROFILE#KEY).
    public const string KeyringVersion = "KeyringVersion";
    public const string UserKey = "UserKey";

    // The API's record of one idempotent request (IDEMPOTENCY#<hash> / IDEMPOTENCY, docs/idempotency.md): no entity, never
    // audited or denormalized, gone by its ttl.
    public const string IdempotencyRecord = "IdempotencyRecord";

    public static IReadOnlyList<string> All { get; } =
        [User, EmailMarker, UserWord, UserCity, Order, OrderItem, Product, Role, RoleNameMarker, UserRole, Comment, AuditEntry, MigrationRun, MigrationFailure, KeyringVersion, UserKey, IdempotencyRecord];
}
