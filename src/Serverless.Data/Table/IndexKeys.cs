using Serverless.Domain.Users;

namespace Serverless.Data.Table;

/// <summary>Values of the GSI1 key attributes (GSI1PK / GSI1SK) for each access pattern that uses the overloaded index.</summary>
public static class IndexKeys
{
    /// <summary>Users by status; sharded like the CreatedDateIndex when there is more than one shard.</summary>
    public static string UsersByStatus(UserStatus status, int shard, int shards) =>
        KeyPrefix.Status + status.ToName() + (shards > 1 ? "#" + shard.ToString(System.Globalization.CultureInfo.InvariantCulture) : "");

    /// <summary>Newest first when read backwards; the id makes equal timestamps distinct and the order total.</summary>
    public static string UserStatusSort(DateTimeOffset createdAt, Guid userId) =>
        SortableTime.Format(createdAt) + "#" + Keys.Id(userId);

    public static string Word(string stem) => KeyPrefix.Word + stem;

    public static string City(string normalizedCity) => KeyPrefix.City + normalizedCity;

    /// <summary>Sort key of word, city and role-link items in GSI1: the user they point at.</summary>
    public static string UserSort(Guid userId) => Keys.UserPartition(userId);

    public static string OrdersOfUser(Guid userId) => Keys.UserPartition(userId);

    public static string OrdersWithProduct(Guid productId) => KeyPrefix.Product + Keys.Id(productId);

    /// <summary>Orders newest first when read backwards.</summary>
    public static string OrderSort(DateTimeOffset orderedAt, Guid orderId) =>
        KeyPrefix.Order + SortableTime.Format(orderedAt) + "#" + Keys.Id(orderId);

    public static string UsersOfRole(Guid roleId) => KeyPrefix.Role + Keys.Id(roleId);

    public static string AllRoles => KeyPrefix.AllRoles;

    public static string RoleSort(string name, Guid roleId) => KeyPrefix.Role + name.ToLowerInvariant() + "#" + Keys.Id(roleId);

    public static string AllProducts => KeyPrefix.AllProducts;

    public static string ProductSort(string name, Guid productId) => KeyPrefix.Product + name.ToLowerInvariant() + "#" + Keys.Id(productId);
}
