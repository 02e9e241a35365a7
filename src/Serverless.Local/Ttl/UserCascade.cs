using System.Security.Cryptography;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Users;

namespace Serverless.Local.Ttl;

/// <summary>
/// The purge function's ON DELETE CASCADE, run by a sweep itself: its deletes are ordinary DeleteItem calls, which
/// no stream consumer (the local stack's or AWS's) can take for TTL deletions, so the purge function would never
/// cascade them. The same rule as the purge function (only a soft-deleted user whose retention ended) through the
/// same code (<see cref="UserPurge"/>), which deletes the user item last: a sweep stopped midway leaves the user
/// item in place, so the next sweep finds it again and finishes the cascade.
/// </summary>
public sealed class UserCascade
{
    private readonly IAmazonDynamoDB _client;
    private readonly TimeProvider _clock;

    public UserCascade(IAmazonDynamoDB client, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(clock);
        _client = client;
        _clock = clock;
    }

    /// <summary>A <see cref="ExpiredItemCascade"/> for the sweeper: expired soft-deleted users, nothing else.</summary>
    public async Task<IReadOnlyDictionary<string, int>?> DeleteAsync(string tableName, IReadOnlyDictionary<string, AttributeValue> expired, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(expired);
        if (expired.GetValueOrDefault(Attr.EntityType)?.S != EntityTypes.User)
        {
            return null;
        }

        var item = (await _client.GetItemAsync(new GetItemRequest { TableName = tableName, Key = expired.Where(a => a.Key is Attr.PK or Attr.SK).ToDictionary(StringComparer.Ordinal), ConsistentRead = true }, ct)).Item;
        if (item is not { Count: > 0 })
        {
            // Deleted since the scan: nothing left to cascade from, and nothing deleted here.
            return new Dictionary<string, int>(StringComparer.Ordinal);
        }

        var user = PurgeTarget.Of(item);
        if (user.Status != UserStatus.Deleted)
        {
            // As the purge function: a ttl on a user that is not soft-deleted is no retention that ended; the plain delete follows.
            return null;
        }

        var report = await Purge(tableName).PurgeAsync(user.Id, user.MarkerToken, ct);
        var deleted = new Dictionary<string, int>(StringComparer.Ordinal);
        void Count(string type, int count)
        {
            if (count > 0)
            {
                deleted[type] = deleted.GetValueOrDefault(type) + count;
            }
        }

        // SkippedUserIsLive: restored (or its ttl moved) since the scan; the newer write wins and nothing was deleted.
        Count(EntityTypes.Order, report.Orders);
        Count(EntityTypes.OrderItem, report.OrderItems);
        Count(EntityTypes.UserRole, report.RoleLinks);
        Count(EntityTypes.UserWord, report.NameWords);
        Count(EntityTypes.UserCity, report.Cities);
        Count(EntityTypes.Comment, report.Comments);
        Count(TtlSweepResult.NoEntityType, report.OtherUserItems);
        Count(EntityTypes.EmailMarker, report.EmailMarkerDeleted ? 1 : 0);
        Count(EntityTypes.UserKey, report.KeyDeleted ? 1 : 0);
        Count(EntityTypes.User, report.UserItemDeleted ? 1 : 0);
        return deleted;
    }

    private UserPurge Purge(string tableName) => new(new TableAccess(
        _client,
        // The purge signs no cursor, but TableOptions are validated whole: a throwaway key that signs nothing.
        new TableOptions { TableName = tableName, CursorSigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
        _clock));
}
