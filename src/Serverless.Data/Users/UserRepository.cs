using Serverless.Domain.Users;

namespace Serverless.Data.Users;

/// <summary>
/// Users and the items kept in step with them (email marker, name words, address cities). Every write is one
/// transaction; every read is a GetItem, a Query, or a bounded few followed by BatchGetItem. Never a Scan.
/// </summary>
public sealed partial class UserRepository(TableAccess table) : TableRepository(table)
{
    private const string Entity = "User";

    /// <summary>The user, including a soft-deleted one (status deleted) until its retention ends; null when absent or expired.</summary>
    public async Task<User?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        // Consistent: callers use the version they read here as If-Match for the next write.
        var item = await Access.Reads.GetAsync(Table, Keys.User(id), consistent: true, cancellationToken).ConfigureAwait(false);
        return item is null ? null : UserMapper.FromItem(item);
    }

    /// <summary>The user holding this email (any case, surrounding spaces ignored); soft-deleted users are not found.</summary>
    public async Task<User?> GetByEmailAsync(string email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var request = new PartitionQuery(IndexNames.Email, EmailAddress.Normalize(email)).ToRequest(Table).ExcludeExpired(Access.Now());

        var response = await Access.Client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
        return response.Items is { Count: > 0 } items ? UserMapper.FromItem(items[0]) : null;
    }

}
