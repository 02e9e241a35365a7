using Serverless.Domain.Roles;

namespace Serverless.Data.Roles;

/// <summary>
/// The seed's user_roles row as USER#userId / ROLE#roleId: a user's roles are one Query on the user's
/// partition; a role's users are one Query on GSI1 ROLE#roleId.
/// </summary>
public static class UserRoleMapper
{
    public static Dictionary<string, AttributeValue> ToItem(UserRole link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var item = CommonAttributes.NewItem(Keys.UserRole(link.UserId, link.RoleId), EntityTypes.UserRole, SchemaVersions.Initial);
        item[Attr.UserId] = Av.Guid(link.UserId);
        item[Attr.RoleId] = Av.Guid(link.RoleId);
        item[Attr.RoleName] = Av.S(link.RoleName);
        item[Attr.AssignedAt] = Av.Time(link.AssignedAt);
        item.AddIfNotNull(Attr.LastWriter, link.LastWriter);
        item[Attr.Gsi1PK] = Av.S(IndexKeys.UsersOfRole(link.RoleId));
        item[Attr.Gsi1SK] = Av.S(IndexKeys.UserSort(link.UserId));
        return item;
    }

    public static UserRole FromItem(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var reader = new ItemReader(item);
        _ = reader.ExpectEntity(EntityTypes.UserRole, SchemaVersions.Initial);
        return new UserRole
        {
            UserId = reader.Guid(Attr.UserId),
            RoleId = reader.Guid(Attr.RoleId),
            RoleName = reader.String(Attr.RoleName),
            AssignedAt = reader.Time(Attr.AssignedAt),
            LastWriter = reader.OptionalString(Attr.LastWriter),
        };
    }
}
