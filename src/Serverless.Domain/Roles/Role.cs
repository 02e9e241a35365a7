namespace Serverless.Domain.Roles;

public sealed record Role : Entity
{
    public required Guid Id { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }
}

/// <summary>The seed's user_roles row: a user holds a role since <see cref="AssignedAt"/>.</summary>
public sealed record UserRole
{
    public required Guid UserId { get; init; }

    public required Guid RoleId { get; init; }

    /// <summary>Copied from the role so a user's roles list in one query.</summary>
    public required string RoleName { get; init; }

    public DateTimeOffset AssignedAt { get; init; }

    public string? LastWriter { get; init; }
}
