using System.Globalization;

namespace Serverless.Data.Privacy;

/// <summary>What a keyring key is for. The two never share a key: a blind index never reveals anything about a ciphertext.</summary>
public enum KeyPurpose { Field, Blind }

/// <summary>A keyring version's place in its rotation.</summary>
public enum KeyStatus
{
    /// <summary>Writes use it: new ciphertexts and blind indexes are made with it. One per purpose.</summary>
    Active,

    /// <summary>An earlier version: still read (decrypted, looked up) until the backfill has moved every item off it.</summary>
    Live,

    /// <summary>No item uses it any more; it is not unwrapped, and a ciphertext under it does not decrypt.</summary>
    Retired,
}

/// <summary>The keyring's keys unwrapped: the active version of each purpose, and every version still readable.</summary>
public sealed class KeyringSnapshot
{
    private readonly IReadOnlyDictionary<(KeyPurpose, int), byte[]> _keys;

    internal KeyringSnapshot(IReadOnlyDictionary<(KeyPurpose, int), byte[]> keys, int activeField, int activeBlind)
    {
        _keys = keys;
        ActiveField = activeField;
        ActiveBlind = activeBlind;
    }

    public int ActiveField { get; }

    /// <summary>Version 1 of each purpose, random, held only in memory (benchmarks, counting what a seed would write).</summary>
    public static KeyringSnapshot Ephemeral() => new(
        new Dictionary<(KeyPurpose, int), byte[]>
        {
            [(KeyPurpose.Field, 1)] = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32),
            [(KeyPurpose.Blind, 1)] = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32),
        },
        1,
        1);

    public int ActiveBlind { get; }

    /// <summary>The active blind version first, then the other live ones, newest first (a lookup tries them the other way round: UserProtection.LookupVersions).</summary>
    public IReadOnlyList<int> BlindVersions => [ActiveBlind, .. _keys.Keys.Where(k => k.Item1 == KeyPurpose.Blind && k.Item2 != ActiveBlind).Select(k => k.Item2).OrderDescending()];

    /// <exception cref="KeyUnavailableException">The version is retired or was never made.</exception>
    public byte[] Key(KeyPurpose purpose, int version) =>
        _keys.TryGetValue((purpose, version), out var key)
            ? key
            : throw new KeyUnavailableException($"The {purpose.ToString().ToLowerInvariant()} key version {version.ToString(CultureInfo.InvariantCulture)} is retired or unknown.");
}

/// <summary>
/// The hierarchical keyring's idea on our table: a few versioned keyring keys (for fields, for blind indexes), each
/// stored wrapped by the root key in the KEYRING partition, unwrapped once and kept in memory for a bounded time and a
/// bounded number of uses. So the root key (KMS on AWS) is called a few times per function instance and refresh
/// period, never per item. The first use on an empty table makes version 1 of each purpose.
/// </summary>
public sealed class Keyring
{
    public const string Partition = "KEYRING";

    private readonly IAmazonDynamoDB _client;
    private readonly string _tableName;
    private readonly IRootKey _root;
    private readonly KeyringCacheOptions _cache;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Cached? _current;
    private long _rootCalls;

    public Keyring(IAmazonDynamoDB client, string tableName, IRootKey root, KeyringCacheOptions cache, TimeProvider time)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _tableName = tableName ?? throw new ArgumentNullException(nameof(tableName));
        _root = root ?? throw new ArgumentNullException(nameof(root));
        _cache = cache ?? throw new ArgumentNullException(nameof(cache));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Calls made to the root key (KMS on AWS) since this keyring was made.</summary>
    public long RootKeyCalls => Interlocked.Read(ref _rootCalls);

    public IRootKey Root => _root;

    /// <summary>The keys, from memory while they are fresh and not used up; else read and unwrapped again.</summary>
    public async ValueTask<KeyringSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && current.IsFresh(_time.GetUtcNow(), _cache))
        {
            return current.Snapshot;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _current;
            if (current is not null && current.IsFresh(_time.GetUtcNow(), _cache))
            {
                return current.Snapshot;
            }

            var snapshot = await LoadAsync(cancellationToken).ConfigureAwait(false);
            _current = new Cached(snapshot, _time.GetUtcNow());
            return snapshot;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Forget the unwrapped keys: the next use reads and unwraps them again (after a rotation, in tests).</summary>
    public void Invalidate() => _current = null;

    /// <summary>Every version stored, as the rotation command reports them.</summary>
    public async Task<IReadOnlyList<KeyringVersion>> VersionsAsync(CancellationToken cancellationToken)
    {
        var response = await _client.QueryAsync(new QueryRequest
        {
            TableName = _tableName,
            ConsistentRead = true,
            KeyConditionExpression = "#pk = :pk",
            ExpressionAttributeNames = new() { ["#pk"] = Attr.PK },
            ExpressionAttributeValues = new() { [":pk"] = Av.S(Partition) },
        }, cancellationToken).ConfigureAwait(false);
        return [.. (response.Items ?? []).Select(KeyringVersion.FromItem)];
    }

    /// <summary>
    /// Makes version n+1 of <paramref name="purpose"/> the active one; the previous active version stays live (read,
    /// looked up) until <see cref="RetireAsync"/>. Conditional: of two rotations at once, one wins and the other fails.
    /// </summary>
    public async Task<int> AddVersionAsync(KeyPurpose purpose, CancellationToken cancellationToken)
    {
        var versions = await VersionsAsync(cancellationToken).ConfigureAwait(false);
        var active = versions.SingleOrDefault(v => v.Purpose == purpose && v.Status == KeyStatus.Active)
            ?? throw new InvalidOperationException($"The keyring has no active {purpose} version; use it once to make version 1.");
        var next = versions.Where(v => v.Purpose == purpose).Max(v => v.Version) + 1;
        var made = await MakeAsync(purpose, next, cancellationToken).ConfigureAwait(false);
        await _client.TransactWriteItemsAsync(new TransactWriteItemsRequest
        {
            TransactItems =
            [
                new TransactWriteItem { Put = new Put { TableName = _tableName, Item = made, ConditionExpression = "attribute_not_exists(#pk)", ExpressionAttributeNames = new() { ["#pk"] = Attr.PK } } },
                new TransactWriteItem { Update = StatusChange(purpose, active.Version, KeyStatus.Active, KeyStatus.Live) },
            ],
        }, cancellationToken).ConfigureAwait(false);
        Invalidate();
        return next;
    }

    /// <summary>Retires a live (not the active) version: nothing decrypts or looks up under it any more.</summary>
    public async Task RetireAsync(KeyPurpose purpose, int version, CancellationToken cancellationToken)
    {
        await _client.UpdateItemAsync(ToUpdateRequest(StatusChange(purpose, version, KeyStatus.Live, KeyStatus.Retired)), cancellationToken).ConfigureAwait(false);
        Invalidate();
    }

    internal static ItemKey KeyOf(KeyPurpose purpose, int version) =>
        new(Partition, (purpose == KeyPurpose.Field ? "FIELD#" : "BLIND#") + version.ToString("D4", CultureInfo.InvariantCulture));

    /// <summary>The encryption context of one keyring version: what KMS binds the wrapped key to.</summary>
    internal Dictionary<string, string> ContextOf(KeyPurpose purpose, int version) => new(StringComparer.Ordinal)
    {
        ["table"] = _tableName,
        ["purpose"] = purpose == KeyPurpose.Field ? "field" : "blind",
        ["version"] = version.ToString(CultureInfo.InvariantCulture),
    };

    private async Task<KeyringSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var versions = await VersionsAsync(cancellationToken).ConfigureAwait(false);
        if (!versions.Any(v => v.Purpose == KeyPurpose.Field) || !versions.Any(v => v.Purpose == KeyPurpose.Blind))
        {
            await CreateFirstVersionsAsync(versions, cancellationToken).ConfigureAwait(false);
            versions = await VersionsAsync(cancellationToken).ConfigureAwait(false);
        }

        var keys = new Dictionary<(KeyPurpose, int), byte[]>();
        foreach (var version in versions.Where(v => v.Status != KeyStatus.Retired))
        {
            Interlocked.Increment(ref _rootCalls);
            try
            {
                keys[(version.Purpose, version.Version)] = await _root.UnwrapAsync(version.Wrapped, ContextOf(version.Purpose, version.Version), cancellationToken).ConfigureAwait(false);
            }
            catch (KeyUnavailableException e) when (version.RootKeyId != _root.Id)
            {
                // Which root key the version says wrapped it: the usual cause, a key file or KMS key that is not the table's.
                throw new KeyUnavailableException(
                    $"{e.Message} The keyring's {version.Purpose.ToString().ToLowerInvariant()} key version {version.Version} of table {_tableName} was wrapped by {version.RootKeyId}.", e);
            }
        }

        int ActiveOf(KeyPurpose purpose) => versions.SingleOrDefault(v => v.Purpose == purpose && v.Status == KeyStatus.Active)?.Version
            ?? throw new KeyUnavailableException($"The keyring has no active {purpose.ToString().ToLowerInvariant()} key.");
        return new KeyringSnapshot(keys, ActiveOf(KeyPurpose.Field), ActiveOf(KeyPurpose.Blind));
    }

    private async Task CreateFirstVersionsAsync(IReadOnlyList<KeyringVersion> existing, CancellationToken cancellationToken)
    {
        foreach (var purpose in new[] { KeyPurpose.Field, KeyPurpose.Blind }.Where(p => !existing.Any(v => v.Purpose == p)))
        {
            var item = await MakeAsync(purpose, 1, cancellationToken).ConfigureAwait(false);
            try
            {
                await _client.PutItemAsync(new PutItemRequest
                {
                    TableName = _tableName,
                    Item = item,
                    ConditionExpression = "attribute_not_exists(#pk)",
                    ExpressionAttributeNames = new() { ["#pk"] = Attr.PK },
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ConditionalCheckFailedException)
            {
                // Another instance made it first: everyone uses that one.
            }
        }
    }

    private async Task<Dictionary<string, AttributeValue>> MakeAsync(KeyPurpose purpose, int version, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _rootCalls);
        var made = await _root.GenerateAsync(ContextOf(purpose, version), cancellationToken).ConfigureAwait(false);
        var item = CommonAttributes.NewItem(KeyOf(purpose, version), EntityTypes.KeyringVersion, SchemaVersions.Initial);
        item[KeyringVersion.PurposeAttr] = Av.S(purpose == KeyPurpose.Field ? "field" : "blind");
        item[KeyringVersion.VersionAttr] = Av.N(version);
        item[Attr.Status] = Av.S(KeyringVersion.StatusName(KeyStatus.Active));
        item[KeyringVersion.WrappedAttr] = new AttributeValue { B = new MemoryStream(made.Wrapped) };
        item[KeyringVersion.RootAttr] = Av.S(_root.Id);
        item[Attr.CreatedAt] = Av.Time(_time.GetUtcNow());
        return item;
    }

    private UpdateItemRequest ToUpdateRequest(Update update) => new()
    {
        TableName = update.TableName,
        Key = update.Key,
        UpdateExpression = update.UpdateExpression,
        ConditionExpression = update.ConditionExpression,
        ExpressionAttributeNames = update.ExpressionAttributeNames,
        ExpressionAttributeValues = update.ExpressionAttributeValues,
    };

    private Update StatusChange(KeyPurpose purpose, int version, KeyStatus from, KeyStatus to) => new()
    {
        TableName = _tableName,
        Key = KeyOf(purpose, version).ToAttributes(),
        UpdateExpression = "SET #status = :to",
        ConditionExpression = "#status = :from",
        ExpressionAttributeNames = new() { ["#status"] = Attr.Status },
        ExpressionAttributeValues = new() { [":from"] = Av.S(KeyringVersion.StatusName(from)), [":to"] = Av.S(KeyringVersion.StatusName(to)) },
    };

    private sealed class Cached(KeyringSnapshot snapshot, DateTimeOffset loadedAt)
    {
        private long _uses;

        public KeyringSnapshot Snapshot { get; } = snapshot;

        public bool IsFresh(DateTimeOffset now, KeyringCacheOptions options) =>
            now - loadedAt < options.MaxAge && Interlocked.Increment(ref _uses) <= options.MaxUses;
    }
}

/// <summary>How long unwrapped keyring keys stay in memory: the bound on KMS calls, and on how long a retired key lingers.</summary>
public sealed record KeyringCacheOptions
{
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMinutes(5);

    public long MaxUses { get; init; } = 1_000_000;
}

/// <summary>One stored keyring version (its key still wrapped).</summary>
public sealed record KeyringVersion(KeyPurpose Purpose, int Version, KeyStatus Status, byte[] Wrapped, string RootKeyId)
{
    internal const string PurposeAttr = "purpose";
    internal const string VersionAttr = "keyVersion";
    internal const string WrappedAttr = "wrappedKey";
    internal const string RootAttr = "rootKeyId";

    internal static string StatusName(KeyStatus status) => status switch
    {
        KeyStatus.Active => "active",
        KeyStatus.Live => "live",
        _ => "retired",
    };

    internal static KeyringVersion FromItem(Dictionary<string, AttributeValue> item)
    {
        var reader = new ItemReader(item);
        var purpose = reader.String(PurposeAttr) == "field" ? KeyPurpose.Field : KeyPurpose.Blind;
        var status = reader.String(Attr.Status) switch
        {
            "active" => KeyStatus.Active,
            "live" => KeyStatus.Live,
            _ => KeyStatus.Retired,
        };
        return new KeyringVersion(purpose, (int)reader.Long(VersionAttr), status, item[WrappedAttr].B.ToArray(), reader.String(RootAttr));
    }
}
