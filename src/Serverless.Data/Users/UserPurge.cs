using Serverless.Data.Privacy;
using Serverless.Domain.Users;

namespace Serverless.Data.Users;

/// <summary>What one purge run deleted (zeros on a repeated run: everything was already gone).</summary>
public sealed record PurgeReport
{
    /// <summary>True when nothing was deleted because the user item is still live (not expired): never purge a user that can be restored or is active.</summary>
    public bool SkippedUserIsLive { get; init; }

    public int Orders { get; init; }

    public int OrderItems { get; init; }

    public int RoleLinks { get; init; }

    public int NameWords { get; init; }

    public int Cities { get; init; }

    /// <summary>Comments whose target is the user.</summary>
    public int Comments { get; init; }

    /// <summary>Any other item in the user's partition (none today; counted so a new kind of item is noticed).</summary>
    public int OtherUserItems { get; init; }

    public bool EmailMarkerDeleted { get; init; }

    /// <summary>True when this run deleted the user's key: the moment the user's PII became unreadable everywhere.</summary>
    public bool KeyDeleted { get; init; }

    /// <summary>True when the (expired) user item itself was still there and was deleted too.</summary>
    public bool UserItemDeleted { get; init; }
}

/// <summary>What the purge needs of a removed user item, none of it PII: its id, status, and its email marker's key value.</summary>
/// <param name="MarkerToken">The marker's token (the email's blind index; for an item from before encryption, its normalized email); null when unknown.</param>
public sealed record PurgeTarget(Guid Id, UserStatus Status, string? MarkerToken)
{
    /// <summary>From a stored user item (or a stream image of one), without its key.</summary>
    public static PurgeTarget Of(IReadOnlyDictionary<string, AttributeValue> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var reader = new ItemReader(item);
        var token = reader.OptionalString(Attr.EmailToken)
            ?? (item.TryGetValue(Attr.Email, out var email) && email.S is { } plain ? EmailAddress.Normalize(plain) : null);
        return new PurgeTarget(reader.Guid(Attr.Id), reader.Enum(Attr.Status, EnumNames.UserStatus), token);
    }
}

/// <summary>
/// The seed's ON DELETE CASCADE for a user whose retention ended (the purge stream function runs it on the
/// TTL deletion of the user item). Deletes: every order of the user (found through GSI1 USER#id, never a Scan)
/// with all its lines; everything else in the user's partition (role links, name-word and city index items,
/// comments on the user); the email marker if it still points at this user; and the user item itself if
/// DynamoDB has not removed it yet. First of all it deletes the user's key (USER#id / PROFILE#KEY): from that moment
/// every copy of the user's PII that is left anywhere (audit entries, stream records, backups) no longer decrypts, so
/// the erasure holds even if the rest of the run fails and is retried. Keeps: audit entries (they expire by their own ttl) and comments the user
/// wrote on other targets (the seed's comments have no author column to cascade on).
/// Idempotent and restartable: each step deletes what it finds, and a repeated run finds nothing.
/// </summary>
public sealed class UserPurge(TableAccess table) : TableRepository(table)
{
    // Orders read and cleared per round: bounds memory and the fan-out of partition Queries.
    private const int OrdersPerRound = 25;

    /// <summary>
    /// Deletes of one purge: a few calls at once, and throttled deletes retried a while before the stream record fails
    /// (Lambda then retries it, and the purge, being idempotent, finishes what is left).
    /// </summary>
    public static BatchWriteOptions DeleteOptions { get; } = new() { Parallelism = 4, Retry = new RetryOptions { MaxAttempts = 8 } };

    private readonly BatchWriter _deleter = new(table.Client, DeleteOptions, table.Time);

    /// <param name="markerToken">The email marker's token from the stream record's old image (<see cref="PurgeTarget"/>: finds the marker once the user item is gone); null to use the user item's, if it is still there.</param>
    public async Task<PurgeReport> PurgeAsync(Guid userId, string? markerToken, CancellationToken cancellationToken)
    {
        var now = Access.Time.GetUtcNow();
        var user = (await Access.Client.GetItemAsync(
            new GetItemRequest { TableName = Table, Key = Keys.User(userId).ToAttributes(), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false)).Item;
        var userPresent = user is { Count: > 0 };
        if (userPresent && !ExpiryFilter.IsExpired(user, now))
        {
            // Active, or soft-deleted with retention left: the cascade belongs to the end of the retention only.
            return new PurgeReport { SkippedUserIsLive = true };
        }

        // Crypto-shredding first: the one item whose deletion erases every copy.
        var keyDeleted = await Access.Writer.TryDeleteAsync(Table, UserKeyStore.KeyOf(userId), WriteCondition.Exists, cancellationToken).ConfigureAwait(false);
        Access.Privacy.UserKeys.Remember(userId, null);
        var (orders, lines) = await DeleteOrdersAsync(userId, cancellationToken).ConfigureAwait(false);
        var partition = await DeleteUserPartitionAsync(userId, cancellationToken).ConfigureAwait(false);
        markerToken ??= userPresent ? PurgeTarget.Of(user!).MarkerToken : null;
        var markerDeleted = markerToken is not null && await DeleteEmailMarkerAsync(userId, markerToken, cancellationToken).ConfigureAwait(false);
        var userDeleted = userPresent && await DeleteExpiredUserAsync(userId, now, cancellationToken).ConfigureAwait(false);

        return new PurgeReport
        {
            Orders = orders,
            OrderItems = lines,
            RoleLinks = partition.GetValueOrDefault(EntityTypes.UserRole),
            NameWords = partition.GetValueOrDefault(EntityTypes.UserWord),
            Cities = partition.GetValueOrDefault(EntityTypes.UserCity),
            Comments = partition.GetValueOrDefault(EntityTypes.Comment),
            OtherUserItems = partition.Where(e => e.Key is not (EntityTypes.UserRole or EntityTypes.UserWord or EntityTypes.UserCity or EntityTypes.Comment or EntityTypes.UserKey)).Sum(e => e.Value),
            KeyDeleted = keyDeleted || partition.ContainsKey(EntityTypes.UserKey),
            EmailMarkerDeleted = markerDeleted,
            UserItemDeleted = userDeleted,
        };
    }

    /// <summary>
    /// Walks the user's orders on GSI1 a round at a time; per round, deletes all lines first and the headers
    /// after, so an interrupted run never leaves lines whose header (the only way to find them by user) is gone.
    /// </summary>
    private async Task<(int Orders, int Lines)> DeleteOrdersAsync(Guid userId, CancellationToken cancellationToken)
    {
        // The header's table key names the order's partition; nothing else is needed.
        var request = (PartitionQuery.OnGsi1(IndexKeys.OrdersOfUser(userId), KeyPrefix.Order) with { Attributes = [Attr.PK] }).ToRequest(Table);
        request.Limit = OrdersPerRound;

        int orders = 0, lines = 0;
        do
        {
            var response = await Access.Client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            var partitions = (response.Items ?? []).Select(i => i[Attr.PK].S).Distinct(StringComparer.Ordinal).ToList();
            var keys = (await Task.WhenAll(partitions.Select(p => PartitionKeysAsync(p, cancellationToken))).ConfigureAwait(false))
                .SelectMany(k => k)
                .ToList();
            var headers = keys.Where(k => k.EntityType == EntityTypes.Order).Select(k => k.Key).ToList();
            var others = keys.Where(k => k.EntityType != EntityTypes.Order).Select(k => k.Key).ToList();
            lines += await _deleter.DeleteAllAsync(Table, others, cancellationToken).ConfigureAwait(false);
            orders += await _deleter.DeleteAllAsync(Table, headers, cancellationToken).ConfigureAwait(false);
            // Paging continues from the last key read, so headers deleted meanwhile (the index lags a little) are
            // never read again in this run.
            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } lastKey ? lastKey : null;
        }
        while (request.ExclusiveStartKey is not null);

        return (orders, lines);
    }

    /// <summary>Deletes everything left in USER#id (role links, word and city items, comments on the user), by entity type.</summary>
    private async Task<Dictionary<string, int>> DeleteUserPartitionAsync(Guid userId, CancellationToken cancellationToken)
    {
        var profile = Keys.User(userId);
        var keys = (await PartitionKeysAsync(Keys.UserPartition(userId), cancellationToken).ConfigureAwait(false))
            // The user item is left to DynamoDB's TTL (or DeleteExpiredUserAsync): it is the record of the deletion.
            .Where(k => k.Key != profile)
            .ToList();
        await _deleter.DeleteAllAsync(Table, keys.Select(k => k.Key), cancellationToken).ConfigureAwait(false);
        return keys.GroupBy(k => k.EntityType, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    /// <summary>Every key in one partition with its entity type; expired items included, since they go too.</summary>
    private async Task<List<(ItemKey Key, string EntityType)>> PartitionKeysAsync(string partition, CancellationToken cancellationToken)
    {
        var query = PartitionQuery.OnTable(partition) with { Consistent = true, Attributes = [Attr.PK, Attr.SK, Attr.EntityType] };
        var items = await Access.Paging.AllAsync(query.ToRequest(Table), cancellationToken).ConfigureAwait(false);
        return [.. items.Select(i => (new ItemKey(i[Attr.PK].S, i[Attr.SK].S), i.GetValueOrDefault(Attr.EntityType)?.S ?? ""))];
    }

    // Only our own marker: once it expired, the address may already belong to someone new. False: gone already (a
    // repeated run, or it expired) or taken by another user; either way not ours to delete.
    private Task<bool> DeleteEmailMarkerAsync(Guid userId, string markerToken, CancellationToken cancellationToken) =>
        Access.Writer.TryDeleteAsync(Table, Keys.EmailMarker(markerToken), WriteCondition.BelongsTo(userId), cancellationToken);

    // Only while it is still expired as checked above: a live user item is never deleted by the purge.
    private Task<bool> DeleteExpiredUserAsync(Guid userId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Access.Writer.TryDeleteAsync(Table, Keys.User(userId), WriteCondition.ExpiredBy(now), cancellationToken);
}
