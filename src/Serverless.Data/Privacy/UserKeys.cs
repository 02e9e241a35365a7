using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.Data.Privacy;

/// <summary>
/// Each user's own key: a random 32-byte seed in USER#id / PROFILE#KEY, from which, with a field key version of the
/// keyring, HKDF-SHA256 derives the key of the user's PII (their item's fields and every copy of them: orders, audit
/// entries, stream records). Deleting the seed erases the user: every copy, wherever it lies, stops decrypting at once,
/// without being found (crypto-shredding). The seed is no secret on its own (it is useless without the keyring), so it
/// may be read by whoever may read the table; it must only never be restored once the user is purged.
/// </summary>
public sealed class UserKeyStore
{
    public const string SortKey = "PROFILE#KEY";
    internal const string SeedAttr = "seed";

    private readonly IAmazonDynamoDB _client;
    private readonly string _tableName;
    private readonly UserKeyCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Guid, (byte[]? Seed, DateTimeOffset Until)> _cache = new();

    public UserKeyStore(IAmazonDynamoDB client, string tableName, UserKeyCacheOptions options, TimeProvider time)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _tableName = tableName ?? throw new ArgumentNullException(nameof(tableName));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    public static ItemKey KeyOf(Guid userId) => new(Keys.UserPartition(userId), SortKey);

    public static byte[] NewSeed() => RandomNumberGenerator.GetBytes(32);

    /// <summary>The key item a user's create writes (in the same transaction as the user).</summary>
    public static Dictionary<string, AttributeValue> ToItem(Guid userId, byte[] seed, DateTimeOffset createdAt)
    {
        var item = CommonAttributes.NewItem(KeyOf(userId), EntityTypes.UserKey, SchemaVersions.Initial);
        item[Attr.UserId] = Av.Guid(userId);
        item[SeedAttr] = new AttributeValue { B = new MemoryStream(seed) };
        item[Attr.CreatedAt] = Av.Time(createdAt);
        return item;
    }

    /// <summary>The user's seed, or null when the user has none (erased, or never encrypted).</summary>
    /// <param name="consistent">Read the table even when cached (before a write that builds on it).</param>
    public async Task<byte[]?> GetAsync(Guid userId, bool consistent, CancellationToken cancellationToken)
    {
        if (!consistent && _cache.TryGetValue(userId, out var cached) && cached.Until > _time.GetUtcNow())
        {
            return cached.Seed;
        }

        var response = await _client.GetItemAsync(
            new GetItemRequest { TableName = _tableName, Key = KeyOf(userId).ToAttributes(), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        var seed = response.Item is { Count: > 0 } item && item.TryGetValue(SeedAttr, out var value) ? value.B.ToArray() : null;
        Remember(userId, seed);
        return seed;
    }

    /// <summary>Seeds of many users (those without one absent), from the cache and one BatchGetItem per 100 others.</summary>
    public async Task<IReadOnlyDictionary<Guid, byte[]>> GetManyAsync(IEnumerable<Guid> userIds, ItemReads reads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        ArgumentNullException.ThrowIfNull(reads);
        var now = _time.GetUtcNow();
        var found = new Dictionary<Guid, byte[]>();
        var missing = new List<Guid>();
        foreach (var id in userIds.Distinct())
        {
            if (_cache.TryGetValue(id, out var cached) && cached.Until > now)
            {
                if (cached.Seed is { } seed)
                {
                    found[id] = seed;
                }
            }
            else
            {
                missing.Add(id);
            }
        }

        if (missing.Count > 0)
        {
            var items = await reads.BatchGetAsync(_tableName, missing.Select(KeyOf), cancellationToken, consistent: true).ConfigureAwait(false);
            foreach (var id in missing)
            {
                var seed = items.TryGetValue(KeyOf(id), out var item) ? item[SeedAttr].B.ToArray() : null;
                Remember(id, seed);
                if (seed is not null)
                {
                    found[id] = seed;
                }
            }
        }

        return found;
    }

    /// <summary>What this instance learnt from its own write (a create), so its next read needs no GetItem.</summary>
    public void Remember(Guid userId, byte[]? seed)
    {
        if (_cache.Count >= _options.MaxEntries)
        {
            // Crude but bounded: a full cache starts again rather than growing; entries are cheap to read back.
            _cache.Clear();
        }

        _cache[userId] = (seed, _time.GetUtcNow() + _options.MaxAge);
    }

    /// <summary>Derives the user's field key for one keyring field version.</summary>
    internal static byte[] Derive(byte[] fieldKey, byte[] seed, Guid userId) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, fieldKey, 32, seed, Encoding.UTF8.GetBytes("serverless/user-fields/" + Keys.Id(userId)));
}

/// <summary>How long a user's seed is kept in memory: also how long an instance may still read a user it has just seen purged.</summary>
public sealed record UserKeyCacheOptions
{
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMinutes(1);

    public int MaxEntries { get; init; } = 10_000;
}

/// <summary>One user's field keys (every readable version), for sealing and opening that user's PII.</summary>
public sealed class UserFieldKeys
{
    private readonly KeyringSnapshot _keys;
    private readonly byte[] _seed;
    private readonly ConcurrentDictionary<int, byte[]> _derived = new();

    public UserFieldKeys(KeyringSnapshot keys, Guid owner, byte[] seed)
    {
        _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        _seed = seed ?? throw new ArgumentNullException(nameof(seed));
        Owner = owner;
    }

    public Guid Owner { get; }

    public KeyringSnapshot Keyring => _keys;

    /// <summary>Under the active field version.</summary>
    public AttributeValue Seal(string field, AttributeValue plain) =>
        FieldCipher.Seal(KeyFor(_keys.ActiveField), _keys.ActiveField, Owner, field, plain);

    /// <summary>A ciphertext decrypted; a plaintext value (an item from before encryption) returned as it is.</summary>
    /// <exception cref="FieldDecryptionException">
    /// A ciphertext that does not decrypt for this user and field, or a binary value that is no ciphertext at all (no
    /// PII field is binary in plaintext, so one is an altered ciphertext).
    /// </exception>
    public AttributeValue Open(string field, AttributeValue stored, string itemId)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (FieldCipher.IsCiphertext(stored))
        {
            return FieldCipher.Open(KeyFor, Owner, field, stored, itemId);
        }

        return stored.B is null ? stored : throw new FieldDecryptionException(itemId, field, "it is not a field ciphertext");
    }

    private byte[] KeyFor(int version) => _derived.GetOrAdd(version, v => UserKeyStore.Derive(_keys.Key(KeyPurpose.Field, v), _seed, Owner));
}
