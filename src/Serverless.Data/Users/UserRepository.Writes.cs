using Serverless.Data.Privacy;
using Serverless.Domain.Users;

namespace Serverless.Data.Users;

public sealed partial class UserRepository
{
    /// <summary>
    /// Creates the user at version 1 with the layer's timestamps. The email is taken in the same transaction
    /// (its marker item), so of concurrent creates with one email exactly one succeeds.
    /// </summary>
    /// <exception cref="ValidationException">The user breaks a rule of the seed; nothing was written.</exception>
    /// <exception cref="ConflictException">The email (or the id) is taken; nothing was written.</exception>
    public async Task<User> CreateAsync(User user, string lastWriter, CancellationToken cancellationToken)
    {
        var created = Created(user, lastWriter) with { Email = user.Email?.Trim()!, DeletedAt = null, PurgeAfter = null };
        EnsureWritable(created);

        // The user's own key is made here and written with the user: all of the user's PII, wherever it is copied,
        // is ciphertext under it, and the purge erases all of it by deleting this one item.
        var snapshot = await Access.Privacy.KeysAsync(cancellationToken).ConfigureAwait(false);
        var seed = UserKeyStore.NewSeed();
        var keys = new UserFieldKeys(snapshot, created.Id, seed);
        var item = UserProtection.Seal(UserMapper.ToItem(created, Access.Options.CreatedDateShards), keys);
        var actions = new List<WriteAction>
        {
            // A random id should never collide; if it does, the other user must not be overwritten.
            WriteAction.Put(Table, item, WriteCondition.NotExists,
                ConditionFailures.Conflict("A user with this id already exists.", "id")),
            WriteAction.Put(Table, UserKeyStore.ToItem(created.Id, seed, created.CreatedAt), WriteCondition.NotExists,
                ConditionFailures.Conflict("A user with this id already exists.", "id")),
        };
        // The marker is the uniqueness rule: whoever creates it first owns the email.
        actions.AddRange(EmailClaim(created, item, snapshot, created.CreatedAt));
        actions.AddRange(UserProtection.WordTokens(snapshot, snapshot.ActiveBlind, created).Select(w => WriteAction.Put(Table, UserIndexItemMapper.Word(created, w), null, null)));
        actions.AddRange(UserProtection.CityTokens(snapshot, snapshot.ActiveBlind, created).Select(c => WriteAction.Put(Table, UserIndexItemMapper.City(created, c), null, null)));

        await WriteThenInvalidateAsync(
            () => InvalidateAsync(created.Id, created.Version, snapshot, created.Email), actions, cancellationToken).ConfigureAwait(false);

        Access.Privacy.UserKeys.Remember(created.Id, seed);
        return created;
    }

    /// <summary>
    /// Replaces the user's fields (not id, timestamps, deletion state) if it is still at
    /// <paramref name="expectedVersion"/>. An email change releases the old marker and takes the new one in the
    /// same transaction; word and city items follow the new name and addresses.
    /// </summary>
    /// <returns>The user as stored: unchanged, at its version, when the change would change nothing (nothing is written then).</returns>
    /// <exception cref="NotFoundException">No such user.</exception>
    /// <exception cref="ConflictException">The user is soft-deleted, or the new email is taken; nothing was written.</exception>
    /// <exception cref="ConcurrencyException">The stored version is not <paramref name="expectedVersion"/>; nothing was written.</exception>
    public async Task<User> UpdateAsync(User user, long expectedVersion, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var read = await GetForWriteAsync(user.Id, expectedVersion, expectDeleted: false, cancellationToken).ConfigureAwait(false);
        var current = read.Current;
        var now = Access.Now();
        var updated = user with
        {
            Email = user.Email?.Trim()!,
            CreatedAt = current.CreatedAt,
            UpdatedAt = now,
            DeletedAt = null,
            PurgeAfter = null,
            Version = expectedVersion + 1,
            LastWriter = lastWriter,
        };
        var item = read.Seal(UserMapper.ToItem(updated, Access.Options.CreatedDateShards));
        if (ItemContent.Same(read.Stored, item))
        {
            // The put would store what is stored (so an older item, which it would upgrade or re-key, still gets
            // written): it would only bump the version and leave an audit entry of no change.
            return current;
        }

        EnsureWritable(updated);
        var emailChanged = EmailAddress.Normalize(current.Email) != EmailAddress.Normalize(updated.Email);
        await WriteThenInvalidateAsync(
            () => InvalidateAsync(updated.Id, updated.Version, read.Keys.Keyring, current.Email, updated.Email),
            ChangeActions(read, updated, item, expectedVersion, emailChanged, now, ConditionFailures.Conflict("The email is already taken.", "email")),
            cancellationToken).ConfigureAwait(false);

        read.Remember(Access);
        return updated;
    }

    /// <summary>
    /// Soft delete: status deleted, deletedAt, purgeAfter = now + retention and ttl = purgeAfter. The user leaves
    /// the email, recent, status, word and city lookups; its email stays taken until the retention ends.
    /// </summary>
    /// <exception cref="NotFoundException">No such user.</exception>
    /// <exception cref="ConflictException">The user is already soft-deleted; nothing was written.</exception>
    /// <exception cref="ConcurrencyException">The stored version is not <paramref name="expectedVersion"/>; nothing was written.</exception>
    public async Task<User> DeleteAsync(Guid id, long expectedVersion, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var read = await GetForWriteAsync(id, expectedVersion, expectDeleted: false, cancellationToken).ConfigureAwait(false);

        var now = Access.Now();
        var deleted = read.Current with
        {
            Status = UserStatus.Deleted,
            DeletedAt = now,
            PurgeAfter = now + Access.Options.SoftDeleteRetention,
            UpdatedAt = now,
            Version = expectedVersion + 1,
            LastWriter = lastWriter,
        };

        // The marker gets the user's ttl; it must still be ours to be given one.
        var item = read.Seal(UserMapper.ToItem(deleted, Access.Options.CreatedDateShards));
        await WriteThenInvalidateAsync(
            () => InvalidateAsync(id, deleted.Version, read.Keys.Keyring, deleted.Email),
            ChangeActions(read, deleted, item, expectedVersion, emailChanged: false, now, _ => new ConcurrencyException(Entity, id.ToString("D"), expectedVersion)),
            cancellationToken).ConfigureAwait(false);

        read.Remember(Access);
        return deleted;
    }

    /// <summary>Undoes a soft delete before the retention ends: status active, back in every lookup.</summary>
    /// <exception cref="ConflictException">The user is not deleted.</exception>
    public async Task<User> RestoreAsync(Guid id, long expectedVersion, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var read = await GetForWriteAsync(id, expectedVersion, expectDeleted: true, cancellationToken).ConfigureAwait(false);

        var now = Access.Now();
        var restored = read.Current with
        {
            Status = UserStatus.Active,
            DeletedAt = null,
            PurgeAfter = null,
            UpdatedAt = now,
            Version = expectedVersion + 1,
            LastWriter = lastWriter,
        };
        EnsureWritable(restored);

        // Clears the marker's ttl; it is still ours because the user has not expired.
        var item = read.Seal(UserMapper.ToItem(restored, Access.Options.CreatedDateShards));
        await WriteThenInvalidateAsync(
            () => InvalidateAsync(id, restored.Version, read.Keys.Keyring, restored.Email),
            ChangeActions(read, restored, item, expectedVersion, emailChanged: false, now, ConditionFailures.Conflict("The email was taken by another user.", "email")),
            cancellationToken).ConfigureAwait(false);

        read.Remember(Access);
        return restored;
    }

    /// <summary>
    /// Reads the user for a write and checks it early, so a caller that cannot succeed fails before any write is
    /// attempted. The deletion state is checked before the version: a write the state forbids fails at any version,
    /// and its reason is what the caller needs (RFC 9110 section 13.2.1 likewise ranks such errors above preconditions).
    /// </summary>
    private async Task<StoredUser> GetForWriteAsync(Guid id, long expectedVersion, bool expectDeleted, CancellationToken cancellationToken)
    {
        // Consistent: the version checked here is the one the write is conditional on.
        var storedTask = Access.Reads.GetAsync(Table, Keys.User(id), consistent: true, cancellationToken);
        var keysTask = Access.Privacy.ForUserAsync(id, consistent: false, cancellationToken);
        var stored = await storedTask.ConfigureAwait(false) ?? throw new NotFoundException(Entity, id.ToString("D"));
        var keys = await keysTask.ConfigureAwait(false);
        if (keys is null && UserProtection.IsSealed(stored))
        {
            // Sealed since this instance remembered it had no key (the encryption migration, or a seal on read elsewhere).
            keys = await Access.Privacy.ForUserAsync(id, consistent: true, cancellationToken).ConfigureAwait(false);
        }

        byte[]? newSeed = null;
        if (keys is null)
        {
            // A user from before encryption: its first write gives it its key.
            newSeed = UserKeyStore.NewSeed();
            keys = new UserFieldKeys(await Access.Privacy.KeysAsync(cancellationToken).ConfigureAwait(false), id, newSeed);
        }

        var open = UserProtection.Open(stored, keys);
        var current = UserMapper.FromItem(open);
        if (expectDeleted != (current.Status == UserStatus.Deleted))
        {
            throw new ConflictException(expectDeleted ? "The user is not deleted." : "The user is deleted; restore it first.", "status");
        }

        return current.Version == expectedVersion
            ? new StoredUser(current, stored, open, keys, newSeed)
            : throw new ConcurrencyException(Entity, id.ToString("D"), expectedVersion);
    }

    /// <summary>The user item (if still at the version read), its key item when it gets one, the email marker, the word and city items.</summary>
    private List<WriteAction> ChangeActions(
        StoredUser read, User after, Dictionary<string, AttributeValue> item, long expectedVersion, bool emailChanged, DateTimeOffset now,
        ConditionFailureTranslator onMarkerTaken)
    {
        var id = after.Id;
        var actions = new List<WriteAction>
        {
            WriteAction.Put(Table, item, WriteCondition.VersionIs(expectedVersion),
                ConditionFailures.StaleOrMissing(Entity, id.ToString("D"), expectedVersion)),
        };
        if (read.NewSeed is { } seed)
        {
            actions.Add(WriteAction.Put(Table, UserKeyStore.ToItem(id, seed, now), WriteCondition.NotExists,
                _ => new ConcurrencyException(Entity, id.ToString("D"), expectedVersion)));
        }

        var snapshot = read.Keys.Keyring;
        var oldVersion = UserProtection.BlindVersionOf(read.Stored);
        var oldMarker = Keys.EmailMarker(UserProtection.EmailToken(snapshot, oldVersion, read.Current.Email));
        var newMarker = Keys.EmailMarker(item[Attr.EmailToken].S);
        if (oldMarker != newMarker)
        {
            // Only our own marker may be released; anything else means the data moved under us.
            actions.Add(WriteAction.Delete(Table, oldMarker, WriteCondition.BelongsTo(id),
                _ => new ConcurrencyException(Entity, id.ToString("D"), expectedVersion)));
        }

        if (emailChanged)
        {
            // Taking the new address follows the same rule as a create: the first marker wins.
            actions.AddRange(EmailClaim(after, item, snapshot, now));
        }
        else
        {
            // The same address (a new ttl, or a new blind version): the marker must be ours, or free to move to.
            var condition = oldMarker == newMarker
                ? WriteCondition.BelongsTo(id)
                : new WriteCondition(
                    "attribute_not_exists(#pk) OR #userId = :userId",
                    new Dictionary<string, string> { ["#pk"] = Attr.PK, ["#userId"] = Attr.UserId },
                    new Dictionary<string, AttributeValue> { [":userId"] = Av.Guid(id) });
            actions.Add(WriteAction.Put(Table, UserIndexItemMapper.EmailMarker(after, item[Attr.EmailToken].S, snapshot.ActiveBlind), condition, onMarkerTaken));
        }

        actions.AddRange(IndexItemChanges(read.Current, oldVersion, after, snapshot));
        return actions;
    }

    /// <summary>
    /// Claims the email for <paramref name="user"/>: its marker under the active blind version and, for every other
    /// version a lookup still tries (a rotation or the encryption migration under way), a check that no other user's
    /// marker holds the address there.
    /// </summary>
    private IEnumerable<WriteAction> EmailClaim(User user, Dictionary<string, AttributeValue> item, KeyringSnapshot snapshot, DateTimeOffset now)
    {
        var taken = ConditionFailures.Conflict("The email is already taken.", "email");
        var token = item[Attr.EmailToken].S;
        yield return WriteAction.Put(Table, UserIndexItemMapper.EmailMarker(user, token, snapshot.ActiveBlind), WriteCondition.NotExistsOrExpired(now), taken);
        foreach (var version in UserProtection.LookupVersions(snapshot, Access.Options.PlaintextLookups).Where(v => v != snapshot.ActiveBlind))
        {
            var other = Keys.EmailMarker(UserProtection.EmailToken(snapshot, version, user.Email));
            var condition = new WriteCondition(
                "attribute_not_exists(#pk) OR #ttl <= :now OR #userId = :userId",
                new Dictionary<string, string> { ["#pk"] = Attr.PK, ["#ttl"] = Attr.Ttl, ["#userId"] = Attr.UserId },
                new Dictionary<string, AttributeValue> { [":now"] = Av.N(now.ToUnixTimeSeconds()), [":userId"] = Av.Guid(user.Id) });
            yield return WriteAction.Check(Table, other, condition, taken);
        }
    }

    /// <summary>A user as read for a write: the entity, its item as stored and opened, and the keys its next version is sealed with.</summary>
    private sealed record StoredUser(
        User Current, Dictionary<string, AttributeValue> Stored, Dictionary<string, AttributeValue> Open, UserFieldKeys Keys, byte[]? NewSeed)
    {
        public Dictionary<string, AttributeValue> Seal(Dictionary<string, AttributeValue> plain) => UserProtection.Seal(plain, Keys, Stored, Open);

        public void Remember(TableAccess access)
        {
            if (NewSeed is not null)
            {
                access.Privacy.UserKeys.Remember(Current.Id, NewSeed);
            }
        }
    }

    /// <summary>
    /// Deletes the word and city items the user no longer has and puts the new ones; unchanged ones are left alone.
    /// A change of blind version (a rotation, or the first write of a plaintext user) moves every one of them.
    /// </summary>
    private IEnumerable<WriteAction> IndexItemChanges(User before, int beforeVersion, User after, KeyringSnapshot snapshot)
    {
        // No conditions: the user item's version condition already makes the whole transaction all-or-nothing.
        var oldWords = UserProtection.WordTokens(snapshot, beforeVersion, before);
        var newWords = UserProtection.WordTokens(snapshot, snapshot.ActiveBlind, after);
        foreach (var word in oldWords.Except(newWords, StringComparer.Ordinal))
        {
            yield return WriteAction.Delete(Table, Keys.UserWord(before.Id, word), null, null);
        }

        foreach (var word in newWords.Except(oldWords, StringComparer.Ordinal))
        {
            yield return WriteAction.Put(Table, UserIndexItemMapper.Word(after, word), null, null);
        }

        var oldCities = UserProtection.CityTokens(snapshot, beforeVersion, before);
        var newCities = UserProtection.CityTokens(snapshot, snapshot.ActiveBlind, after);
        foreach (var city in oldCities.Except(newCities, StringComparer.Ordinal))
        {
            yield return WriteAction.Delete(Table, Keys.UserCity(before.Id, city), null, null);
        }

        foreach (var city in newCities.Except(oldCities, StringComparer.Ordinal))
        {
            yield return WriteAction.Put(Table, UserIndexItemMapper.City(after, city), null, null);
        }
    }

    /// <summary>
    /// Writes the transaction, then invalidates the cache: after it committed, and also after a call that failed in a way
    /// that may have committed (a timeout, a lost connection). A refusal that wrote nothing (a condition, a validation)
    /// leaves the cache as it is.
    /// </summary>
    private async Task WriteThenInvalidateAsync(Func<Task> invalidate, IReadOnlyList<WriteAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            await Access.Transactions.WriteAsync(actions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (ConflictException or ConcurrencyException or ValidationException or NotFoundException))
        {
            await invalidate().ConfigureAwait(false);
            throw;
        }

        await invalidate().ConfigureAwait(false);
    }

    /// <summary>The seed's rules, plus: status deleted is reached only through <see cref="DeleteAsync"/>.</summary>
    private static void EnsureWritable(User user)
    {
        var errors = new List<FieldError>(UserRules.Validate(user));
        if (user.Status == UserStatus.Deleted)
        {
            errors.Add(new FieldError("status", "cannot be set to deleted; delete the user instead."));
        }

        ValidationException.ThrowIfAny(errors);
    }
}
