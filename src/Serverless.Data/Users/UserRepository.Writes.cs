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

        var actions = new List<WriteAction>
        {
            // A random id should never collide; if it does, the other user must not be overwritten.
            WriteAction.Put(Table, UserMapper.ToItem(created, Access.Options.CreatedDateShards), WriteCondition.NotExists,
                ConditionFailures.Conflict("A user with this id already exists.", "id")),
            // The marker is the uniqueness rule: whoever creates it first owns the email.
            WriteAction.Put(Table, UserIndexItemMapper.EmailMarker(created), WriteCondition.NotExistsOrExpired(created.CreatedAt),
                ConditionFailures.Conflict("The email is already taken.", "email")),
        };
        actions.AddRange(UserIndexItemMapper.WordsOf(created).Select(w => WriteAction.Put(Table, UserIndexItemMapper.Word(created, w), null, null)));
        actions.AddRange(UserIndexItemMapper.CitiesOf(created).Select(c => WriteAction.Put(Table, UserIndexItemMapper.City(created, c), null, null)));

        await Access.Transactions.WriteAsync(actions, cancellationToken).ConfigureAwait(false);
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
        var (current, stored) = await GetForWriteAsync(user.Id, expectedVersion, expectDeleted: false, cancellationToken).ConfigureAwait(false);
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
        if (ItemContent.Same(stored, UserMapper.ToItem(updated, Access.Options.CreatedDateShards)))
        {
            // The put would store what is stored (so a version 1 item, which it would upgrade, still gets written):
            // it would only bump the version and leave an audit entry of no change.
            return current;
        }

        EnsureWritable(updated);

        var actions = new List<WriteAction> { PutUserAtVersion(updated, expectedVersion) };
        if (EmailAddress.Normalize(current.Email) != EmailAddress.Normalize(updated.Email))
        {
            // Only our own marker may be released; anything else means the data moved under us.
            actions.Add(WriteAction.Delete(Table, Keys.EmailMarker(EmailAddress.Normalize(current.Email)), WriteCondition.BelongsTo(current.Id),
                _ => new ConcurrencyException(Entity, current.Id.ToString("D"), expectedVersion)));
            // Taking the new address follows the same rule as a create: the first marker wins.
            actions.Add(WriteAction.Put(Table, UserIndexItemMapper.EmailMarker(updated), WriteCondition.NotExistsOrExpired(now),
                ConditionFailures.Conflict("The email is already taken.", "email")));
        }

        actions.AddRange(IndexItemChanges(current, updated));
        await Access.Transactions.WriteAsync(actions, cancellationToken).ConfigureAwait(false);
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
        var (current, _) = await GetForWriteAsync(id, expectedVersion, expectDeleted: false, cancellationToken).ConfigureAwait(false);

        var now = Access.Now();
        var deleted = current with
        {
            Status = UserStatus.Deleted,
            DeletedAt = now,
            PurgeAfter = now + Access.Options.SoftDeleteRetention,
            UpdatedAt = now,
            Version = expectedVersion + 1,
            LastWriter = lastWriter,
        };

        var actions = new List<WriteAction>
        {
            PutUserAtVersion(deleted, expectedVersion),
            // The marker gets the user's ttl; it must still be ours to be given one.
            WriteAction.Put(Table, UserIndexItemMapper.EmailMarker(deleted), WriteCondition.BelongsTo(id),
                _ => new ConcurrencyException(Entity, id.ToString("D"), expectedVersion)),
        };
        actions.AddRange(IndexItemChanges(current, deleted));
        await Access.Transactions.WriteAsync(actions, cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>Undoes a soft delete before the retention ends: status active, back in every lookup.</summary>
    /// <exception cref="ConflictException">The user is not deleted.</exception>
    public async Task<User> RestoreAsync(Guid id, long expectedVersion, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var (current, _) = await GetForWriteAsync(id, expectedVersion, expectDeleted: true, cancellationToken).ConfigureAwait(false);

        var restored = current with
        {
            Status = UserStatus.Active,
            DeletedAt = null,
            PurgeAfter = null,
            UpdatedAt = Access.Now(),
            Version = expectedVersion + 1,
            LastWriter = lastWriter,
        };
        EnsureWritable(restored);

        var actions = new List<WriteAction>
        {
            PutUserAtVersion(restored, expectedVersion),
            // Clears the marker's ttl; it is still ours because the user has not expired.
            WriteAction.Put(Table, UserIndexItemMapper.EmailMarker(restored), WriteCondition.BelongsTo(id),
                ConditionFailures.Conflict("The email was taken by another user.", "email")),
        };
        actions.AddRange(IndexItemChanges(current, restored));
        await Access.Transactions.WriteAsync(actions, cancellationToken).ConfigureAwait(false);
        return restored;
    }

    /// <summary>
    /// Reads the user for a write and checks it early, so a caller that cannot succeed fails before any write is
    /// attempted. The deletion state is checked before the version: a write the state forbids fails at any version,
    /// and its reason is what the caller needs (RFC 9110 section 13.2.1 likewise ranks such errors above preconditions).
    /// </summary>
    /// <returns>The user, and its item as stored.</returns>
    private async Task<(User Current, Dictionary<string, AttributeValue> Stored)> GetForWriteAsync(
        Guid id, long expectedVersion, bool expectDeleted, CancellationToken cancellationToken)
    {
        // Consistent: the version checked here is the one the write is conditional on.
        var stored = await Access.Reads.GetAsync(Table, Keys.User(id), consistent: true, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException(Entity, id.ToString("D"));
        var current = UserMapper.FromItem(stored);
        if (expectDeleted != (current.Status == UserStatus.Deleted))
        {
            throw new ConflictException(expectDeleted ? "The user is not deleted." : "The user is deleted; restore it first.", "status");
        }

        return current.Version == expectedVersion
            ? (current, stored)
            : throw new ConcurrencyException(Entity, id.ToString("D"), expectedVersion);
    }

    /// <summary>The user item, written only if nobody wrote it since the caller read <paramref name="expectedVersion"/>.</summary>
    private WriteAction PutUserAtVersion(User user, long expectedVersion) =>
        WriteAction.Put(Table, UserMapper.ToItem(user, Access.Options.CreatedDateShards), WriteCondition.VersionIs(expectedVersion),
            ConditionFailures.StaleOrMissing(Entity, user.Id.ToString("D"), expectedVersion));

    /// <summary>Deletes the word and city items the user no longer has and puts the new ones; unchanged ones are left alone.</summary>
    private IEnumerable<WriteAction> IndexItemChanges(User before, User after)
    {
        // No conditions: the user item's version condition already makes the whole transaction all-or-nothing.
        var oldWords = UserIndexItemMapper.WordsOf(before);
        var newWords = UserIndexItemMapper.WordsOf(after);
        foreach (var word in oldWords.Except(newWords, StringComparer.Ordinal))
        {
            yield return WriteAction.Delete(Table, Keys.UserWord(before.Id, word), null, null);
        }

        foreach (var word in newWords.Except(oldWords, StringComparer.Ordinal))
        {
            yield return WriteAction.Put(Table, UserIndexItemMapper.Word(after, word), null, null);
        }

        var oldCities = UserIndexItemMapper.CitiesOf(before);
        var newCities = UserIndexItemMapper.CitiesOf(after);
        foreach (var city in oldCities.Except(newCities, StringComparer.Ordinal))
        {
            yield return WriteAction.Delete(Table, Keys.UserCity(before.Id, city), null, null);
        }

        foreach (var city in newCities.Except(oldCities, StringComparer.Ordinal))
        {
            yield return WriteAction.Put(Table, UserIndexItemMapper.City(after, city), null, null);
        }
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
