using Serverless.Data.Privacy;
using Serverless.Domain.Search;
using Serverless.Domain.Users;

namespace Serverless.Data.Users;

/// <summary>
/// A user item's PII between its two shapes: in memory, the plaintext item <see cref="UserMapper"/> makes and reads; in
/// the table, each PII field ciphertext under the user's own key and every lookup key a blind index (docs/privacy.md).
/// Items from before encryption (plaintext, schema version 2 or older) read as they are until they are written again.
/// </summary>
public static class UserProtection
{
    /// <summary>How an error names a user item: its id, never its content.</summary>
    public static string ItemId(Guid userId) => "user " + Keys.Id(userId);

    /// <summary>
    /// The item to store. A field whose plaintext is what <paramref name="storedOpen"/> holds keeps its stored
    /// ciphertext (when that is under the active version), so an unchanged field is not rewritten: writes that change
    /// nothing stay no-ops, and stream consumers can tell a changed email or name by its bytes.
    /// </summary>
    public static Dictionary<string, AttributeValue> Seal(
        IReadOnlyDictionary<string, AttributeValue> plain,
        UserFieldKeys keys,
        IReadOnlyDictionary<string, AttributeValue>? stored = null,
        IReadOnlyDictionary<string, AttributeValue>? storedOpen = null)
    {
        ArgumentNullException.ThrowIfNull(plain);
        ArgumentNullException.ThrowIfNull(keys);
        var snapshot = keys.Keyring;
        var item = new Dictionary<string, AttributeValue>(plain, StringComparer.Ordinal);
        var token = EmailToken(snapshot, snapshot.ActiveBlind, plain[Attr.Email].S);
        item[Attr.EmailToken] = Av.S(token);
        item[Attr.BlindVersion] = Av.N(snapshot.ActiveBlind);
        if (item.ContainsKey(Attr.EmailKey))
        {
            item[Attr.EmailKey] = Av.S(token);
        }

        foreach (var field in ProtectedFields.User)
        {
            if (!plain.TryGetValue(field, out var value))
            {
                continue;
            }

            item[field] = stored is not null && storedOpen is not null
                && stored.TryGetValue(field, out var sealedBefore) && FieldCipher.IsCiphertext(sealedBefore)
                && FieldCipher.HeaderOf(sealedBefore, ItemId(keys.Owner)).Version == snapshot.ActiveField
                && storedOpen.TryGetValue(field, out var before) && ItemContent.Equal(before, value)
                    ? sealedBefore
                    : keys.Seal(field, value);
        }

        return item;
    }

    /// <summary>The item with its PII decrypted (a plaintext item as it is).</summary>
    /// <param name="keys">The user's keys; null when the user has none (erased, or a plaintext item).</param>
    /// <exception cref="FieldDecryptionException">A field does not decrypt: tampered, another user's, or its key is erased.</exception>
    public static Dictionary<string, AttributeValue> Open(IReadOnlyDictionary<string, AttributeValue> stored, UserFieldKeys? keys)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var item = new Dictionary<string, AttributeValue>(stored, StringComparer.Ordinal);
        var itemId = ItemId(new ItemReader(stored).Guid(Attr.Id));
        foreach (var field in ProtectedFields.User)
        {
            // Any binary value: no PII field is binary in plaintext, so one that is no valid ciphertext was altered.
            if (stored.TryGetValue(field, out var value) && value.B is not null)
            {
                item[field] = keys is null
                    ? throw new FieldDecryptionException(itemId, field, "the user's key is erased")
                    : keys.Open(field, value, itemId);
            }
        }

        return item;
    }

    /// <summary>True when any PII field is ciphertext (so the user's key is needed to read it).</summary>
    public static bool IsSealed(IReadOnlyDictionary<string, AttributeValue> stored) =>
        ProtectedFields.User.Any(f => stored.TryGetValue(f, out var v) && v.B is not null);

    /// <summary>The blind version the stored item's lookup items were written under; 0 for a plaintext item (its keys hold the values).</summary>
    public static int BlindVersionOf(IReadOnlyDictionary<string, AttributeValue> stored) =>
        stored.TryGetValue(Attr.BlindVersion, out var v) && v.N is not null ? int.Parse(v.N, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>The email marker's key value under a blind version (0: the plaintext key of an item from before encryption).</summary>
    public static string EmailToken(KeyringSnapshot keys, int version, string email) =>
        version == 0 ? EmailAddress.Normalize(email) : BlindIndex.Token(keys, version, BlindIndex.Email, EmailAddress.Normalize(email));

    /// <summary>A word stem's index term under a blind version (0: the stem itself).</summary>
    public static string WordToken(KeyringSnapshot keys, int version, string stem) =>
        version == 0 ? stem : BlindIndex.Token(keys, version, BlindIndex.Word, stem);

    /// <summary>A normalized city's index term under a blind version (0: the city itself).</summary>
    public static string CityToken(KeyringSnapshot keys, int version, string normalizedCity) =>
        version == 0 ? normalizedCity : BlindIndex.Token(keys, version, BlindIndex.City, normalizedCity);

    /// <summary>
    /// The versions a lookup tries, in order: plaintext (0) while items from before encryption may remain, the other
    /// live ones, oldest first, and the active one last. Items only ever move from an older version to the active
    /// one (a rotation, a user's next write), so a lookup that tries the older first cannot step past an item moving
    /// between two of its queries; with the active one first it could (asked under the new token before the move,
    /// under the old one after it).
    /// </summary>
    public static IReadOnlyList<int> LookupVersions(KeyringSnapshot keys, bool plaintextLookups)
    {
        ArgumentNullException.ThrowIfNull(keys);
        IReadOnlyList<int> live = [.. keys.BlindVersions.Reverse()];
        return plaintextLookups ? [0, .. live] : live;
    }

    /// <summary>The user's word terms under one version.</summary>
    public static IReadOnlyList<string> WordTokens(KeyringSnapshot keys, int version, User user) =>
        [.. UserIndexItemMapper.WordsOf(user).Select(w => WordToken(keys, version, w)).Distinct(StringComparer.Ordinal)];

    /// <summary>The user's city terms under one version.</summary>
    public static IReadOnlyList<string> CityTokens(KeyringSnapshot keys, int version, User user) =>
        [.. UserIndexItemMapper.CitiesOf(user).Select(c => CityToken(keys, version, c)).Distinct(StringComparer.Ordinal)];

}
