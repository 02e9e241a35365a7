using Serverless.Data.Caching;
using Serverless.Data.Privacy;
using Serverless.Domain.Users;

namespace Serverless.Data.Users;

/// <summary>
/// Users and the items kept in step with them (email marker, name words, address cities). Every write is one
/// transaction; every read is a GetItem, a Query, or a bounded few followed by BatchGetItem. Never a Scan.
/// </summary>
public sealed partial class UserRepository(TableAccess table) : TableRepository(table)
{
    private const string Entity = "User";

    /// <summary>
    /// Told why a seal on read (<see cref="TableOptions.SealOnRead"/>) failed, in words that carry no PII (the user id
    /// and the error's kind); the read itself never fails for it. Hosts log it.
    /// </summary>
    public Action<string>? OnSealOnReadFailed { get; init; }

    /// <summary>
    /// The cache-aside cache of users by id and email and of the active-users pages (docs/caching.md); off unless one is
    /// configured. The repository's writes invalidate it after they commit.
    /// </summary>
    public UserCache Cache { get; init; } = UserCache.Off;

    /// <summary>The user, including a soft-deleted one (status deleted) until its retention ends; null when absent or expired.</summary>
    /// <exception cref="Privacy.FieldDecryptionException">A field of the stored item does not decrypt (tampered, or another user's).</exception>
    public async Task<User?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        // Consistent: callers use the version they read here as If-Match for the next write. The user's key is read
        // at the same time (or is in memory), so the decryption adds no round trip.
        var keysTask = Access.Privacy.ForUserAsync(id, consistent: false, cancellationToken);
        var read = await Cache.GetUserAsync(id, ct => ReadUserAsync(id, ct), cancellationToken).ConfigureAwait(false);
        var keys = await keysTask.ConfigureAwait(false);
        return read.Item is null ? null : await OpenReadAsync(read, keys, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The user holding this email (any case, surrounding spaces ignored); soft-deleted users are not found.</summary>
    /// <remarks>
    /// The EmailIndex is keyed by the email's blind index: every live version's token, the older ones first and the
    /// active one last (items only move towards the active version), so no lookup misses while a rotation or the
    /// encryption migration runs. The cache is keyed by the active version's token.
    /// </remarks>
    public async Task<User?> GetByEmailAsync(string email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var snapshot = await Access.Privacy.KeysAsync(cancellationToken).ConfigureAwait(false);
        var token = UserProtection.EmailToken(snapshot, snapshot.ActiveBlind, email);
        var read = await Cache.GetByEmailAsync(
            token,
            ct => FindByEmailAsync(snapshot, email, ct),
            ReadUserAsync,
            cancellationToken).ConfigureAwait(false);
        if (read.Item is null)
        {
            return null;
        }

        var id = new ItemReader(read.Item).Guid(Attr.Id);
        var keys = await Access.Privacy.ForUserAsync(id, consistent: false, cancellationToken).ConfigureAwait(false);
        return await OpenReadAsync(read, keys, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored user item, read consistently (what the cache loads by id).</summary>
    private Task<Dictionary<string, AttributeValue>?> ReadUserAsync(Guid id, CancellationToken cancellationToken) =>
        Access.Reads.GetAsync(Table, Keys.User(id), consistent: true, cancellationToken);

    /// <summary>The stored item of the user holding the email, from the EmailIndex (what the cache loads by email).</summary>
    private async Task<Dictionary<string, AttributeValue>?> FindByEmailAsync(KeyringSnapshot snapshot, string email, CancellationToken cancellationToken)
    {
        var versions = UserProtection.LookupVersions(snapshot, Access.Options.PlaintextLookups);
        // While plaintext items remain, a user sealed (or rolled back) between the query of one version and that of
        // the next is under neither when asked: a second round finds it where it moved to.
        var rounds = Access.Options.PlaintextLookups ? 2 : 1;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var version in versions)
            {
                var token = UserProtection.EmailToken(snapshot, version, email);
                var request = new PartitionQuery(IndexNames.Email, token).ToRequest(Table).ExcludeExpired(Access.Now());
                var response = await Access.Client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.Items is { Count: > 0 } items)
                {
                    return items[0];
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The entity of an item read through the cache. A cached copy that no longer opens (a key version retired after it
    /// was cached, say) is evicted and the table read instead: the cache never fails a read the table would answer.
    /// </summary>
    private async Task<User?> OpenReadAsync(CachedItem read, UserFieldKeys? keys, CancellationToken cancellationToken)
    {
        var item = read.Item!;
        if (read.FromCache)
        {
            try
            {
                return await OpenAsync(item, keys, cancellationToken).ConfigureAwait(false);
            }
            catch (FieldDecryptionException)
            {
                var id = new ItemReader(item).Guid(Attr.Id);
                await Cache.InvalidateAsync(id, ItemVersion(item), []).ConfigureAwait(false);
                item = await ReadUserAsync(id, cancellationToken).ConfigureAwait(false);
                if (item is null)
                {
                    return null;
                }
            }
        }

        var user = await OpenAsync(item, keys, cancellationToken).ConfigureAwait(false);
        SealInBackground(item);
        return user;
    }

    private static long ItemVersion(Dictionary<string, AttributeValue> item) =>
        item.TryGetValue(Attr.Version, out var v) && long.TryParse(v.N, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>
    /// After a write of the user committed (or may have: a failed call can still have committed), the cache forgets what
    /// it held of the user: its entry, the emails it held before and after, the active-users pages.
    /// </summary>
    private Task InvalidateAsync(Guid id, long version, KeyringSnapshot snapshot, params string?[] emails) =>
        Cache.IsEnabled
            ? Cache.InvalidateAsync(id, version, emails.OfType<string>().Select(e => UserProtection.EmailToken(snapshot, snapshot.ActiveBlind, e)))
            : Task.CompletedTask;

    /// <summary>
    /// With <see cref="TableOptions.SealOnRead"/>, a plaintext user just read is sealed after the read returns. The
    /// write is conditional on the item read, so a concurrent write wins; a failure is reported (no PII) and never
    /// reaches the reader.
    /// </summary>
    private void SealInBackground(Dictionary<string, AttributeValue> item)
    {
        if (!Access.Options.SealOnRead || !UserSealing.IsPlaintext(item))
        {
            return;
        }

        var id = new ItemReader(item).Guid(Attr.Id);
        _ = Task.Run(async () =>
        {
            try
            {
                if (await new PlaintextUserSealer(Access).SealAsync(id, CancellationToken.None).ConfigureAwait(false) == SealOutcome.Failed)
                {
                    OnSealOnReadFailed?.Invoke($"Sealing {UserProtection.ItemId(id)} on read: its stored shape cannot be sealed (migrate up --dry-run names why).");
                }
            }
#pragma warning disable CA1031 // Any failure of the background seal is reported, never thrown: the read has already returned.
            catch (Exception e)
#pragma warning restore CA1031
            {
                OnSealOnReadFailed?.Invoke($"Sealing {UserProtection.ItemId(id)} on read failed: {ErrorLog.Describe(e)}");
            }
        });
    }

    /// <summary>
    /// A stored user item as the entity. A sealed item whose key was not found (an eventually consistent miss right
    /// after the create, on AWS) reads the key once more, consistently, before it is called erased.
    /// </summary>
    private async Task<User> OpenAsync(Dictionary<string, AttributeValue> item, UserFieldKeys? keys, CancellationToken cancellationToken)
    {
        if (keys is null && UserProtection.IsSealed(item))
        {
            var id = new ItemReader(item).Guid(Attr.Id);
            keys = await Access.Privacy.ForUserAsync(id, consistent: true, cancellationToken).ConfigureAwait(false);
            if (keys is null)
            {
                item = await RolledBackOrAsync(id, item, cancellationToken).ConfigureAwait(false);
            }
        }

        return UserMapper.FromItem(UserProtection.Open(item, keys));
    }

    /// <summary>
    /// A sealed item read just before its key was deleted by the encryption migration's rollback is plaintext again
    /// by now: the item as it is now when it is plaintext, else <paramref name="item"/> (erased for real: its open fails).
    /// </summary>
    private async Task<Dictionary<string, AttributeValue>> RolledBackOrAsync(Guid id, Dictionary<string, AttributeValue> item, CancellationToken cancellationToken)
    {
        if (!Access.Options.PlaintextLookups)
        {
            return item;
        }

        var now = await Access.Reads.GetAsync(Table, Keys.User(id), consistent: true, cancellationToken).ConfigureAwait(false);
        return now is not null && UserSealing.IsPlaintext(now) ? now : item;
    }

    /// <summary>Many stored user items as entities: the keys of all their users in one BatchGetItem (or from memory).</summary>
    private async Task<List<User>> OpenManyAsync(IReadOnlyList<Dictionary<string, AttributeValue>> items, CancellationToken cancellationToken)
    {
        var sealedIds = items.Where(UserProtection.IsSealed).Select(i => new ItemReader(i).Guid(Attr.Id)).ToList();
        var keys = sealedIds.Count == 0
            ? new Dictionary<Guid, UserFieldKeys>()
            : new Dictionary<Guid, UserFieldKeys>(await Access.Privacy.ForUsersAsync(sealedIds, Access.Reads, cancellationToken).ConfigureAwait(false));
        var current = items.ToList();
        foreach (var id in sealedIds.Where(id => !keys.ContainsKey(id)))
        {
            // As for one user (OpenAsync): a key remembered as missing, or just written, is read once more, consistently.
            if (await Access.Privacy.ForUserAsync(id, consistent: true, cancellationToken).ConfigureAwait(false) is { } found)
            {
                keys[id] = found;
                continue;
            }

            var at = current.FindIndex(i => new ItemReader(i).Guid(Attr.Id) == id);
            current[at] = await RolledBackOrAsync(id, current[at], cancellationToken).ConfigureAwait(false);
        }

        return [.. current.Select(i => UserMapper.FromItem(UserProtection.Open(i, keys.GetValueOrDefault(new ItemReader(i).Guid(Attr.Id)))))];
    }

}
