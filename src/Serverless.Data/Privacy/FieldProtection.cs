namespace Serverless.Data.Privacy;

/// <summary>
/// What a repository needs to keep PII out of the table in clear: the keyring (field and blind keys, unwrapped through
/// the root key and cached), and each user's own key. One per table, on <see cref="TableAccess.Privacy"/>.
/// </summary>
public sealed class FieldProtection
{
    public FieldProtection(IAmazonDynamoDB client, string tableName, IRootKey rootKey, TimeProvider time, KeyringCacheOptions? keyring = null, UserKeyCacheOptions? userKeys = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(rootKey);
        Keyring = new Keyring(client, tableName, rootKey, keyring ?? new KeyringCacheOptions(), time);
        UserKeys = new UserKeyStore(client, tableName, userKeys ?? new UserKeyCacheOptions(), time);
    }

    /// <summary>The local key provider's file at <see cref="LocalRootKey.DefaultPath"/> under the working directory (the local stack's is the repository's <c>.local/</c>).</summary>
    public static IRootKey DefaultLocalRootKey() => new LocalRootKey(LocalRootKey.DefaultPath);

    public Keyring Keyring { get; }

    public UserKeyStore UserKeys { get; }

    public ValueTask<KeyringSnapshot> KeysAsync(CancellationToken cancellationToken) => Keyring.GetAsync(cancellationToken);

    /// <summary>The user's keys; null when the user has no key (erased by a purge, or an item from before encryption).</summary>
    public async Task<UserFieldKeys?> ForUserAsync(Guid userId, bool consistent, CancellationToken cancellationToken)
    {
        var keys = await KeysAsync(cancellationToken).ConfigureAwait(false);
        var seed = await UserKeys.GetAsync(userId, consistent, cancellationToken).ConfigureAwait(false);
        return seed is null ? null : new UserFieldKeys(keys, userId, seed);
    }

    /// <summary>Keys of many users at once (those without a key absent).</summary>
    public async Task<IReadOnlyDictionary<Guid, UserFieldKeys>> ForUsersAsync(IEnumerable<Guid> userIds, ItemReads reads, CancellationToken cancellationToken)
    {
        var keys = await KeysAsync(cancellationToken).ConfigureAwait(false);
        var seeds = await UserKeys.GetManyAsync(userIds, reads, cancellationToken).ConfigureAwait(false);
        return seeds.ToDictionary(s => s.Key, s => new UserFieldKeys(keys, s.Key, s.Value));
    }
}

/// <summary>Which attributes hold PII, as ciphertext under their owner's key (docs/privacy.md classifies every attribute).</summary>
public static class ProtectedFields
{
    /// <summary>A user item's encrypted attributes (each one ciphertext, its name in the additional authenticated data).</summary>
    public static IReadOnlyList<string> User { get; } =
        [Attr.Email, Attr.Name, Attr.Phone, Attr.Addresses, Attr.Metadata, Attr.Profile, Attr.PasswordHash];

    /// <summary>An order header's copies of its user's PII: attribute -&gt; the user field whose ciphertext it copies.</summary>
    public static IReadOnlyDictionary<string, string> OrderCopies { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Attr.UserEmail] = Attr.Email,
        [Attr.UserName] = Attr.Name,
    };

    /// <summary>What an API shows in place of PII whose owner has been erased.</summary>
    public const string Erased = "[erased]";
}
