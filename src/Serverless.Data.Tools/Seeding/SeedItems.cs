using Amazon.DynamoDBv2.Model;
using Serverless.Data.Comments;
using Serverless.Data.Orders;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Users;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Roles;
using Serverless.Domain.Users;

namespace Serverless.Data.Tools.Seeding;

/// <summary>
/// The items an entity is stored as, built by the data layer's own mappers, so seeded data is exactly what the
/// repositories write (email marker, word and city items, index attributes) and reads back through them.
/// </summary>
public static class SeedItems
{
    /// <summary>
    /// The user item plus what the user's create transaction writes with it: its key, marker, one item per word and per
    /// city, sealed as the repository seals them (<see cref="UserItemSealer"/>).
    /// </summary>
    public static IEnumerable<Dictionary<string, AttributeValue>> ForUser(User user, int createdDateShards, UserItemSealer sealer)
    {
        ArgumentNullException.ThrowIfNull(sealer);
        return sealer.ForUser(user, createdDateShards);
    }

    /// <summary>The order's header (its user copies sealed under the user's key) and lines.</summary>
    public static IEnumerable<Dictionary<string, AttributeValue>> ForOrder(Order order, UserItemSealer sealer)
    {
        ArgumentNullException.ThrowIfNull(sealer);
        return sealer.ForOrder(order);
    }

    public static Dictionary<string, AttributeValue> ForProduct(Product product) => ProductMapper.ToItem(product);

    /// <summary>The role item and its name marker, as the role's create transaction writes them.</summary>
    public static IEnumerable<Dictionary<string, AttributeValue>> ForRole(Role role)
    {
        ArgumentNullException.ThrowIfNull(role);
        yield return RoleMapper.ToItem(role);
        yield return RoleMapper.NameMarker(role);
    }

    public static Dictionary<string, AttributeValue> ForUserRole(UserRole link) => UserRoleMapper.ToItem(link);

    public static Dictionary<string, AttributeValue> ForComment(Comment comment) => CommentMapper.ToItem(comment);
}
