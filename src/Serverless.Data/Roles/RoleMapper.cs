using Serverless.Domain.Roles;

namespace Serverless.Data.Roles;

/// <summary>Role &lt;-&gt; ROLE#id / ROLE, listed by name in GSI1 under ROLES (roles are few), and its name marker.</summary>
public static class RoleMapper
{
    public static Dictionary<string, AttributeValue> ToItem(Role role)
    {
        ArgumentNullException.ThrowIfNull(role);
        var item = CommonAttributes.NewItem(Keys.Role(role.Id), EntityTypes.Role, SchemaVersions.Initial);
        CommonAttributes.AddEntityState(item, role);
        item[Attr.Id] = Av.Guid(role.Id);
        item[Attr.Name] = Av.S(role.Name);
        item.AddIfNotNull(Attr.Description, role.Description);
        item[Attr.Gsi1PK] = Av.S(IndexKeys.AllRoles);
        item[Attr.Gsi1SK] = Av.S(IndexKeys.RoleSort(role.Name, role.Id));
        return item;
    }

    /// <summary>
    /// ROLENAME#normalized name / ROLENAME: its existence is what makes a role name taken (the email marker's pattern),
    /// so of concurrent creates with one name exactly one can write it.
    /// </summary>
    public static Dictionary<string, AttributeValue> NameMarker(Role role)
    {
        ArgumentNullException.ThrowIfNull(role);
        var item = CommonAttributes.NewItem(Keys.RoleNameMarker(RoleName.Normalize(role.Name)), EntityTypes.RoleNameMarker, SchemaVersions.Initial);
        item[Attr.RoleId] = Av.Guid(role.Id);
        item.AddIfNotNull(Attr.LastWriter, role.LastWriter);
        return item;
    }

    /// <summary>The role a name marker belongs to.</summary>
    public static Guid RoleIdOfMarker(IReadOnlyDictionary<string, AttributeValue> marker)
    {
        var reader = new ItemReader(marker);
        _ = reader.ExpectEntity(EntityTypes.RoleNameMarker, SchemaVersions.Initial);
        return reader.Guid(Attr.RoleId);
    }

    public static Role FromItem(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var reader = new ItemReader(item);
        _ = reader.ExpectEntity(EntityTypes.Role, SchemaVersions.Initial);
        return CommonAttributes.ReadEntityState(reader, new Role
        {
            Id = reader.Guid(Attr.Id),
            Name = reader.String(Attr.Name),
            Description = reader.OptionalString(Attr.Description),
        });
    }
}
