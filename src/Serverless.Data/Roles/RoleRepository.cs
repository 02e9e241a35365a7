using Serverless.Domain.Roles;

namespace Serverless.Data.Roles;

/// <summary>
/// Roles (ROLE#id / ROLE, listed by name in GSI1 ROLES) and the seed's user_roles links (USER#userId / ROLE#roleId,
/// listed per role in GSI1 ROLE#roleId).
/// Role names are unique whatever their case and spacing (<see cref="RoleName.Normalize"/>): a name marker
/// (ROLENAME#name / ROLENAME) is written in the role's create transaction, the way the email marker makes emails
/// unique. Roles have no update or delete here, so no marker is ever moved or released, and the role name copied
/// onto each link never goes stale.
/// </summary>
public sealed partial class RoleRepository(TableAccess table) : TableRepository(table)
{
    private const string Entity = "Role";
    private const string UserEntity = "User";
    private const string LinkEntity = "UserRole";

    /// <exception cref="ValidationException">The role breaks a rule; nothing was written.</exception>
    /// <exception cref="ConflictException">The name (or the id) is taken; nothing was written.</exception>
    public async Task<Role> CreateAsync(Role role, string lastWriter, CancellationToken cancellationToken)
    {
        var created = Created(role, lastWriter);
        RoleRules.EnsureValid(created);
        var nameTaken = ConditionFailures.Conflict("A role with this name already exists (names are compared ignoring case and spacing).", "name");
        if (await HasListedRoleNamedAsync(created.Name, cancellationToken).ConfigureAwait(false))
        {
            throw nameTaken(null);
        }

        await Access.Transactions.WriteAsync(
            [
                // A random id should never collide; if it does, the other role must not be overwritten.
                WriteAction.Put(Table, RoleMapper.ToItem(created), WriteCondition.NotExists, ConditionFailures.Conflict("A role with this id already exists.", "id")),
                // The marker is the uniqueness rule: whoever creates it first owns the name.
                WriteAction.Put(Table, RoleMapper.NameMarker(created), WriteCondition.NotExists, nameTaken),
            ],
            cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>
    /// Whether the role list already shows a role of this name. It is there for roles created before names had
    /// markers, which hold their names without one: they are found through GSI1 ROLES (sorted by lower-cased name, so
    /// one short Query from the name's first word on). The index lags writes a little, which matters not: such roles
    /// are old, and a role of today always has its marker, which is what decides between concurrent creates.
    /// A name stored with leading white space before markers existed sorts elsewhere and is not found.
    /// </summary>
    private async Task<bool> HasListedRoleNamedAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = RoleName.Normalize(name);
        // The sort key holds the name lower-cased but not re-spaced, so the Query starts at its first word and every
        // candidate is compared in full.
        var firstWord = normalized.Split(' ')[0];
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var request = PartitionQuery.OnGsi1(IndexKeys.AllRoles, KeyPrefix.Role + firstWord).ToRequest(Table);
            request.ExclusiveStartKey = start;
            var response = await Access.Client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            if ((response.Items ?? []).Select(RoleMapper.FromItem).Any(r => RoleName.Normalize(r.Name) == normalized))
            {
                return true;
            }

            start = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
        return false;
    }

    public async Task<Role?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var item = await Access.Reads.GetAsync(Table, Keys.Role(id), consistent: true, cancellationToken).ConfigureAwait(false);
        return item is null ? null : RoleMapper.FromItem(item);
    }

    /// <summary>All roles by name (case-insensitive, then id): one Query on GSI1 ROLES per page.</summary>
    public Task<Page<Role>> ListAsync(PageRequest page, CancellationToken cancellationToken) =>
        Access.PageAsync(PartitionQuery.OnGsi1(IndexKeys.AllRoles), QueryFingerprint.Of("roles.all"), page, RoleMapper.FromItem, cancellationToken);

    /// <summary>
    /// A user's roles, as links (role id, role name, when assigned), in role id order: one Query per page on the
    /// user's partition. Paged like every list, so a user with many roles costs bounded reads per request.
    /// </summary>
    public Task<Page<UserRole>> ListRolesOfUserAsync(Guid userId, PageRequest page, CancellationToken cancellationToken) =>
        Access.PageAsync(
            // The prefix: the user's partition also holds the profile, its index items and comments on the user.
            // Consistent: a grant or revoke is seen by the next read of the same user's roles.
            PartitionQuery.OnTable(Keys.UserPartition(userId), KeyPrefix.Role) with { Consistent = true },
            QueryFingerprint.Of("roles.ofUser", Keys.Id(userId)),
            page,
            UserRoleMapper.FromItem,
            cancellationToken);

    /// <summary>A role's users, as links (user id and when assigned), in user id order: GSI1 ROLE#roleId, paged.</summary>
    public Task<Page<UserRole>> ListUsersOfRoleAsync(Guid roleId, PageRequest page, CancellationToken cancellationToken) =>
        Access.PageAsync(
            PartitionQuery.OnGsi1(IndexKeys.UsersOfRole(roleId)), QueryFingerprint.Of("roles.users", Keys.Id(roleId)), page, UserRoleMapper.FromItem, cancellationToken);

}
