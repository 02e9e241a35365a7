namespace Serverless.Data.Table;

/// <summary>The typed prefixes of partition and sort keys, so two entity types can never share a key.</summary>
public static class KeyPrefix
{
    public const string User = "USER#";
    public const string Email = "EMAIL#";
    public const string Word = "WORD#";
    public const string City = "CITY#";
    public const string Order = "ORDER#";
    public const string Item = "ITEM#";
    public const string Product = "PRODUCT#";
    public const string Role = "ROLE#";
    public const string RoleName = "ROLENAME#";
    public const string Post = "POST#";
    public const string Comment = "COMMENT#";
    public const string Audit = "AUDIT#";
    public const string Status = "STATUS#";
    public const string Migration = "MIGRATION#";
    public const string MigrationFailure = "FAILED#";
    public const string Idempotency = "IDEMPOTENCY#";

    // Sort keys of items that are alone in their partition (or the partition's "header").
    public const string ProfileSort = "PROFILE";
    public const string EmailSort = "EMAIL";
    public const string OrderSort = "ORDER";
    public const string ProductSort = "PRODUCT";
    public const string RoleSort = "ROLE";
    public const string MigrationRunSort = "RUN";
    public const string RoleNameSort = "ROLENAME";
    public const string IdempotencySort = "IDEMPOTENCY";

    // GSI1 partitions that list a small, whole collection.
    public const string AllRoles = "ROLES";
    public const string AllProducts = "PRODUCTS";
}
