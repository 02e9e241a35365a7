using Serverless.Domain.Roles;

namespace Serverless.Api.Roles;

public sealed record CreateRoleRequest
{
    public required string Name { get; init; }

    // A setter, not init: the source-generated deserializer assigns every init member, present or not.
    public string? Description { get; set; }
}

public sealed record RoleResponse(Guid Id, string Name, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long Version)
{
    public static RoleResponse From(Role role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return new(role.Id, role.Name, role.Description, role.CreatedAt, role.UpdatedAt, role.Version);
    }
}

/// <summary>The seed's user_roles row: a user holds a role since assignedAt.</summary>
public sealed record UserRoleResponse(Guid UserId, Guid RoleId, string RoleName, DateTimeOffset AssignedAt)
{
    public static UserRoleResponse From(UserRole link)
    {
        ArgumentNullException.ThrowIfNull(link);
        return new(link.UserId, link.RoleId, link.RoleName, link.AssignedAt);
    }
}
