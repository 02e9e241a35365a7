using Serverless.Domain.Roles;
using Serverless.Domain.Users;

namespace Serverless.Data.Roles;

/// <summary>The outcome of an assignment: the link as stored, and whether this call created it.</summary>
public sealed record RoleAssignment(UserRole Link, bool Created);

public sealed partial class RoleRepository
{
    /// <summary>
    /// Gives the user the role (PUT semantics): one transaction that checks the user exists and is not deleted,
    /// checks the role exists, and creates the link. Assigning a held role again writes nothing and returns the
    /// existing link unchanged (its assignedAt stays the first one).
    /// </summary>
    /// <exception cref="NotFoundException">The user (or it is deleted) or the role does not exist; nothing was written.</exception>
    public async Task<RoleAssignment> AssignAsync(Guid userId, Guid roleId, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var role = await GetAsync(roleId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException(Entity, Keys.Id(roleId));
        var link = new UserRole { UserId = userId, RoleId = roleId, RoleName = role.Name, AssignedAt = Access.Now(), LastWriter = lastWriter };
        UserRoleRules.EnsureValid(link);

        var actions = new List<WriteAction>
        {
            // The seed's user_roles.user_id REFERENCES users: no link to a user that is gone or deleted (the purge
            // cascade that removes links must never miss one created after it ran).
            WriteAction.Check(Table, Keys.User(userId), WriteCondition.UserIsLive, ConditionFailures.NotFound(UserEntity, Keys.Id(userId))),
            // user_roles.role_id REFERENCES roles: the role read above must still be there when the link lands.
            WriteAction.Check(Table, Keys.Role(roleId), WriteCondition.Exists, ConditionFailures.NotFound(Entity, Keys.Id(roleId))),
            // One link per (user, role): a second assignment must not move assignedAt or make a stream record.
            WriteAction.Put(Table, UserRoleMapper.ToItem(link), WriteCondition.NotExists, _ => new AlreadyAssignedException()),
        };

        try
        {
            await Access.Transactions.WriteAsync(actions, cancellationToken).ConfigureAwait(false);
            return new RoleAssignment(link, Created: true);
        }
        catch (AlreadyAssignedException)
        {
            var existing = await Access.Reads.GetAsync(Table, Keys.UserRole(userId, roleId), consistent: true, cancellationToken).ConfigureAwait(false);
            return existing is null
                // Unassigned between our write and this read: the caller's retry decides who wins.
                ? throw new ConflictException("The role was unassigned while it was being assigned; retry the request.")
                : new RoleAssignment(UserRoleMapper.FromItem(existing), Created: false);
        }
    }

    /// <summary>
    /// Takes the role from the user. Two writes: the remover is stamped on the link, then the link is deleted, so
    /// the stream's REMOVE record carries who removed it (the audit trail's changed_by). The stamp alone is not audited
    /// (<see cref="ItemContent.Same"/>): the removal is the change.
    /// </summary>
    /// <returns>True when a link was removed; false when the user did not hold the role (nothing written).</returns>
    public async Task<bool> UnassignAsync(Guid userId, Guid roleId, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var key = Keys.UserRole(userId, roleId);
        // Exists: stamping an absent link would create a stub item with only a key and a writer.
        var stamp = new ItemUpdate("SET #lastWriter = :writer", new Dictionary<string, string> { ["#lastWriter"] = Attr.LastWriter },
            new Dictionary<string, AttributeValue> { [":writer"] = Av.S(lastWriter) });
        if (!await Access.Writer.TryUpdateAsync(Table, key, stamp, WriteCondition.Exists, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        // Exists: tells a concurrent unassign that got here first (it removed the link) from this one.
        return await Access.Writer.TryDeleteAsync(Table, key, WriteCondition.Exists, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Raised inside the transaction's error translation only, to turn "already linked" into success.</summary>
    private sealed class AlreadyAssignedException() : DomainException("The user already holds the role.");
}
