using Serverless.Data.Orders;
using Serverless.Data.Privacy;

namespace Serverless.Data.Users;

/// <summary>What a key rotation did to one item.</summary>
public enum KeyRotationOutcome
{
    /// <summary>Written again under the active versions.</summary>
    Rewritten,

    /// <summary>Already under the active versions (rotated before, or re-sealed by a write of its own): nothing written.</summary>
    AlreadyCurrent,

    /// <summary>Gone (purged, expired) since it was found: nothing to do.</summary>
    Missing,

    /// <summary>Its user has no key: erased (nothing of it opens any more) or from before encryption (sealed by its first write).</summary>
    NoKey,

    /// <summary>Changed between the read and the write (an API write, a denormalization); nothing was written. Read it again.</summary>
    Changed,
}

public sealed partial class UserRepository
{
    /// <summary>Whether every ciphertext of the stored user is under the active field version and its lookup items under the active blind version.</summary>
    public static bool IsUnderActiveVersions(IReadOnlyDictionary<string, AttributeValue> stored, KeyringSnapshot keys)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(keys);
        return UserProtection.BlindVersionOf(stored) == keys.ActiveBlind
            && FieldVersionsOf(stored, ProtectedFields.User).All(v => v == keys.ActiveField);
    }

    /// <summary>Whether an order header's copies of its user's PII are under the active field version (plaintext copies count as current: sealing them is not a rotation's job).</summary>
    public static bool OrderCopiesUnderActiveVersion(IReadOnlyDictionary<string, AttributeValue> header, KeyringSnapshot keys)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(keys);
        return FieldVersionsOf(header, ProtectedFields.OrderCopies.Keys).All(v => v == keys.ActiveField);
    }

    /// <summary>The field versions of the item's ciphertexts among <paramref name="fields"/>.</summary>
    public static IEnumerable<int> FieldVersionsOf(IReadOnlyDictionary<string, AttributeValue> item, IEnumerable<string> fields)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(fields);
        foreach (var field in fields)
        {
            if (item.TryGetValue(field, out var value) && FieldCipher.IsCiphertext(value))
            {
                // The header is plain (version, owner): no key is needed to read it, and an error names the field only.
                yield return FieldCipher.HeaderOf(value, item.GetValueOrDefault(Attr.PK)?.S ?? "item", field).Version;
            }
        }
    }

    /// <summary>
    /// Re-seals one user under the keyring's active versions, for the key rotation: its PII ciphertexts under the
    /// active field version (fields already under it keep their bytes), its email token, marker, word and city items
    /// under the active blind version (old ones deleted, new ones put), all in one transaction. Nothing the user would
    /// see changes: not the version (clients holding it as If-Match may still write), not the timestamps; the item's
    /// <c>lastWriter</c> names the rotation, so the audit trail says who rewrote it.
    /// </summary>
    /// <remarks>
    /// The user item is written only if it still holds exactly what was read (its version and every ciphertext), so
    /// a concurrent write is never overwritten (<see cref="KeyRotationOutcome.Changed"/>: read again), and a user
    /// rewritten once is current and never rewritten again.
    /// </remarks>
    public async Task<KeyRotationOutcome> RotateKeysAsync(Guid id, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var storedTask = Access.Reads.GetAsync(Table, Keys.User(id), consistent: true, cancellationToken);
        var keysTask = Access.Privacy.ForUserAsync(id, consistent: true, cancellationToken);
        var stored = await storedTask.ConfigureAwait(false);
        var keys = await keysTask.ConfigureAwait(false);
        return stored is null
            ? KeyRotationOutcome.Missing
            : await RotateKeysAsync(stored, keys, lastWriter, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="RotateKeysAsync(Guid, string, CancellationToken)"/> for a user item already read (consistently: a
    /// backfill's scan page) with its keys (one BatchGetItem for the page): the write is conditional on exactly that
    /// state, so a stale one is <see cref="KeyRotationOutcome.Changed"/>, never written.
    /// </summary>
    /// <param name="keys">The user's keys; null when it has none.</param>
    public async Task<KeyRotationOutcome> RotateKeysAsync(
        Dictionary<string, AttributeValue> stored, UserFieldKeys? keys, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var snapshot = await Access.Privacy.KeysAsync(cancellationToken).ConfigureAwait(false);
        if (IsUnderActiveVersions(stored, snapshot))
        {
            return KeyRotationOutcome.AlreadyCurrent;
        }

        if (keys is null || !UserProtection.IsSealed(stored))
        {
            return KeyRotationOutcome.NoKey;
        }

        var id = new ItemReader(stored).Guid(Attr.Id);
        if (keys.Owner != id)
        {
            throw new ArgumentException("The keys are another user's.", nameof(keys));
        }

        if (keys.Keyring.ActiveField != snapshot.ActiveField || keys.Keyring.ActiveBlind != snapshot.ActiveBlind)
        {
            // Read under an older keyring: seal with the one the check above used.
            keys = await Access.Privacy.ForUserAsync(id, consistent: true, cancellationToken).ConfigureAwait(false);
            if (keys is null)
            {
                return KeyRotationOutcome.NoKey;
            }
        }

        var open = UserProtection.Open(stored, keys);
        var before = UserMapper.FromItem(open);
        var after = before with { LastWriter = lastWriter };
        var read = new StoredUser(before, stored, open, keys, NewSeed: null);
        var item = read.Seal(UserMapper.ToItem(after, Access.Options.CreatedDateShards));
        foreach (var sharded in new[] { Attr.YearMonth, Attr.Gsi1PK })
        {
            // The user keeps the index partitions it was written with, whatever shard count this process has: a
            // change of shard count is a migration of its own.
            if (item.ContainsKey(sharded) && stored.TryGetValue(sharded, out var kept))
            {
                item[sharded] = kept;
            }
        }

        foreach (var (name, value) in stored)
        {
            // A rotation changes keys and nothing else: what the mapper does not write (the encryption migration's
            // bookkeeping for its rollback, say) stays as it was.
            item.TryAdd(name, value);
        }

        var changed = (ConditionFailureTranslator)(_ => new ConcurrencyException(Entity, id.ToString("D"), before.Version));
        var actions = ChangeActions(read, after, item, before.Version, emailChanged: false, Access.Now(), changed);
        // The update path's version condition is not enough here: a rotation leaves the version as it is, so it pins
        // every ciphertext it read as well.
        actions[0] = WriteAction.Put(Table, item, StateIs(stored), changed);
        try
        {
            await Access.Transactions.WriteAsync(actions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConcurrencyException or ConflictException)
        {
            return KeyRotationOutcome.Changed;
        }

        // Same version, new ciphertext: the cached copy (under the old keys) goes too.
        await InvalidateAsync(id, before.Version, snapshot, before.Email).ConfigureAwait(false);
        return KeyRotationOutcome.Rewritten;
    }

    /// <summary>
    /// Re-seals an order header's copies of its user's email and name under the active field version. The user is
    /// rotated first when it is not yet, so a copy becomes the user's own new ciphertext, byte for byte, as the
    /// denormalization would copy it; a copy that holds another value than the user's (an older one the
    /// denormalization has not replaced yet) is sealed anew from its own plaintext.
    /// </summary>
    /// <returns>The order's outcome, and the user's when this rotated the user (else null).</returns>
    public async Task<(KeyRotationOutcome Order, KeyRotationOutcome? User)> RotateOrderCopiesAsync(Guid orderId, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var snapshot = await Access.Privacy.KeysAsync(cancellationToken).ConfigureAwait(false);
        var header = await Access.Reads.GetAsync(Table, Keys.Order(orderId), consistent: true, cancellationToken).ConfigureAwait(false);
        if (header is null)
        {
            return (KeyRotationOutcome.Missing, null);
        }

        if (OrderCopiesUnderActiveVersion(header, snapshot))
        {
            return (KeyRotationOutcome.AlreadyCurrent, null);
        }

        var userId = new ItemReader(header).Guid(Attr.UserId);
        KeyRotationOutcome? userOutcome = null;
        var user = await Access.Reads.GetAsync(Table, Keys.User(userId), consistent: true, cancellationToken).ConfigureAwait(false);
        if (user is not null && !IsUnderActiveVersions(user, snapshot))
        {
            userOutcome = await RotateKeysAsync(userId, lastWriter, cancellationToken).ConfigureAwait(false);
            if (userOutcome == KeyRotationOutcome.Changed)
            {
                return (KeyRotationOutcome.Changed, userOutcome);
            }

            user = await Access.Reads.GetAsync(Table, Keys.User(userId), consistent: true, cancellationToken).ConfigureAwait(false);
        }

        var keys = await Access.Privacy.ForUserAsync(userId, consistent: true, cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            // Erased: the copies no longer open for anyone; they go with the order.
            return (KeyRotationOutcome.NoKey, userOutcome);
        }

        var itemId = OrderProtection.ItemId(orderId);
        var userOpen = user is not null && IsUnderActiveVersions(user, snapshot) ? UserProtection.Open(user, keys) : null;
        var names = new Dictionary<string, string> { ["#owner"] = Attr.UserId, ["#lastWriter"] = Attr.LastWriter };
        var values = new Dictionary<string, AttributeValue> { [":owner"] = Av.Guid(userId), [":lastWriter"] = Av.S(lastWriter) };
        var sets = new List<string> { "#lastWriter = :lastWriter" };
        var conditions = new List<string> { "#owner = :owner" };
        var i = 0;
        foreach (var (copy, field) in ProtectedFields.OrderCopies)
        {
            if (!header.TryGetValue(copy, out var value) || !FieldCipher.IsCiphertext(value)
                || FieldCipher.HeaderOf(value, itemId, copy).Version == snapshot.ActiveField)
            {
                continue;
            }

            var plain = keys.Open(field, value, itemId);
            var resealed = userOpen is not null && userOpen.TryGetValue(field, out var userPlain) && ItemContent.Equal(userPlain, plain)
                ? user![field]
                : keys.Seal(field, plain);
            names["#c" + i] = copy;
            values[":old" + i] = value;
            values[":new" + i] = resealed;
            sets.Add($"#c{i} = :new{i}");
            conditions.Add($"#c{i} = :old{i}");
            i++;
        }

        // Pinned to the copies read: a denormalization that copied newer values meanwhile wins.
        var written = await Access.Writer.TryUpdateAsync(
            Table,
            Keys.Order(orderId),
            new ItemUpdate("SET " + string.Join(", ", sets), names, values),
            new WriteCondition(string.Join(" AND ", conditions)),
            cancellationToken).ConfigureAwait(false);
        return (written ? KeyRotationOutcome.Rewritten : KeyRotationOutcome.Changed, userOutcome);
    }

    /// <summary>The user item still holds what was read: its version and each PII attribute, byte for byte (or still lacks it).</summary>
    private static WriteCondition StateIs(Dictionary<string, AttributeValue> stored)
    {
        var names = new Dictionary<string, string> { ["#version"] = Attr.Version };
        var values = new Dictionary<string, AttributeValue> { [":version"] = stored[Attr.Version] };
        var parts = new List<string> { "#version = :version" };
        var i = 0;
        foreach (var field in ProtectedFields.User)
        {
            names["#f" + i] = field;
            if (stored.TryGetValue(field, out var value))
            {
                values[":f" + i] = value;
                parts.Add($"#f{i} = :f{i}");
            }
            else
            {
                parts.Add($"attribute_not_exists(#f{i})");
            }

            i++;
        }

        return new WriteCondition(string.Join(" AND ", parts), names, values);
    }
}
