using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Serverless.Data.Users;

namespace Serverless.Data.Caching;

/// <summary>
/// The seed's cache-aside user cache (docs/caching.md): <c>user:{userId}</c>, <c>user:email:{email}</c> (keyed by the
/// email's blind index, never the email) and the active-users pages (<c>users:active:page:{page}</c>, under a generation
/// that every user change moves). It holds items exactly as stored, so PII stays ciphertext in it, and never a plaintext
/// item (one from before encryption).
/// <para>
/// Never stale after a write: a write leaves a tombstone carrying the version it stored (<see cref="InvalidateAsync"/>),
/// and an entry is installed only if it is no older than what the key holds (<see cref="CacheScripts"/>), so a read that
/// started before the write cannot put its older copy back. Readers that find the same state share one load per key
/// (<see cref="SingleFlight{T}"/>); a reader that found a tombstone never joins a load that started before it. Hot entries
/// are refreshed early in the background; unknown users and emails are remembered briefly. A cache that fails costs a
/// bounded wait and a metric, never a request (<see cref="CacheGuard"/>).
/// </para>
/// </summary>
public sealed class UserCache : IDisposable
{
    private readonly ICacheStore? _store;
    private readonly CacheOptions _options;
    private readonly TimeProvider _time;
    private readonly CacheGuard? _guard;
    private readonly Action<string>? _log;
    private readonly SingleFlight<Dictionary<string, AttributeValue>?> _itemFlights = new();
    private readonly SingleFlight<CachedPage> _pageFlights = new();

    /// <param name="log">Told (in words without PII: kinds of errors, durations) when the cache fails or recovers.</param>
    public UserCache(ICacheStore store, CacheOptions options, TimeProvider timeProvider, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _store = store;
        _options = options;
        _time = timeProvider;
        _log = log;
        // Timeouts, the circuit and load durations run on the real clock: a test's hand-moved clock (the table's time,
        // used here for items' expiry) must not stop a timeout from firing.
        _guard = new CacheGuard(options, TimeProvider.System, log);
    }

    private UserCache()
    {
        _options = new CacheOptions();
        _time = TimeProvider.System;
    }

    /// <summary>No cache: every read loads, every invalidation is a no-op.</summary>
    public static UserCache Off { get; } = new();

    public bool IsEnabled => _store is not null;

    /// <summary>The guard's circuit (for health and tests).</summary>
    public bool IsCircuitOpen => _guard?.IsOpen ?? false;

    /// <summary>The store (for tests and the benchmarks).</summary>
    public ICacheStore? Store => _store;

    public CacheOptions Options => _options;

    /// <summary>Loads under way, by id or email (for tests).</summary>
    public int LoadsInFlight => _itemFlights.Count;

    public string UserKey(Guid id) => _options.KeyPrefix + "user:" + id.ToString("D");

    public string EmailKey(string emailToken) => _options.KeyPrefix + "user:email:" + emailToken;

    /// <summary>The active-users list's generation counter; its pages share its hash slot (the braces).</summary>
    public string ActiveGenerationKey => _options.KeyPrefix + "{users:active}:gen";

    public string ActivePageKey(long generation, string pageId) =>
        _options.KeyPrefix + "{users:active}:page:" + generation.ToString(CultureInfo.InvariantCulture) + ":" + pageId;

    /// <summary>The stored user item by id: from the cache, or from <paramref name="load"/> (a consistent read), then cached.</summary>
    public async Task<CachedItem> GetUserAsync(Guid id, Func<CancellationToken, Task<Dictionary<string, AttributeValue>?>> load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (_store is null)
        {
            return new CachedItem(await load(cancellationToken).ConfigureAwait(false), false);
        }

        var key = UserKey(id);
        var (ok, raw) = await _guard!.TryAsync(CacheTelemetry.UserCache, () => _store.GetAsync(key)).ConfigureAwait(false);
        if (!ok)
        {
            // No cache to install into nor to tell us about writes: the table, straight.
            CacheTelemetry.Miss(CacheTelemetry.UserCache);
            return new CachedItem(await load(cancellationToken).ConfigureAwait(false), false);
        }

        var entry = Entry(raw);
        if (entry is { Kind: CacheEntryKind.Value } && ItemOf(entry) is { } cached && !Expired(cached))
        {
            CacheTelemetry.Hit(CacheTelemetry.UserCache);
            RefreshEarly(key, entry, () => LoadUserAsync(id, key, load, seenTombstone: null));
            return new CachedItem(cached, true);
        }

        if (entry is { Kind: CacheEntryKind.Negative })
        {
            CacheTelemetry.Hit(CacheTelemetry.UserCache);
            return new CachedItem(null, true);
        }

        CacheTelemetry.Miss(CacheTelemetry.UserCache);
        var item = await _itemFlights.RunAsync(FlightKey(key, entry), () => LoadUserAsync(id, key, load, Seen(entry, raw)), cancellationToken).ConfigureAwait(false);
        return new CachedItem(item, false);
    }

    /// <summary>
    /// The stored user item holding this email (its blind index <paramref name="emailToken"/>): through the email's
    /// pointer to the user's entry when both are cached and the user still holds the email, else from
    /// <paramref name="loadByEmail"/> (then the pointer is cached, or that no one holds the email).
    /// </summary>
    /// <param name="loadById">A consistent read by id (what <see cref="GetUserAsync"/> loads with).</param>
    public async Task<CachedItem> GetByEmailAsync(
        string emailToken,
        Func<CancellationToken, Task<Dictionary<string, AttributeValue>?>> loadByEmail,
        Func<Guid, CancellationToken, Task<Dictionary<string, AttributeValue>?>> loadById,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(emailToken);
        ArgumentNullException.ThrowIfNull(loadByEmail);
        ArgumentNullException.ThrowIfNull(loadById);
        if (_store is null)
        {
            return new CachedItem(await loadByEmail(cancellationToken).ConfigureAwait(false), false);
        }

        var key = EmailKey(emailToken);
        var (ok, raw) = await _guard!.TryAsync(CacheTelemetry.EmailCache, () => _store.GetAsync(key)).ConfigureAwait(false);
        if (!ok)
        {
            CacheTelemetry.Miss(CacheTelemetry.EmailCache);
            return new CachedItem(await loadByEmail(cancellationToken).ConfigureAwait(false), false);
        }

        var entry = Entry(raw);
        switch (entry?.Kind)
        {
            case CacheEntryKind.Negative:
                CacheTelemetry.Hit(CacheTelemetry.EmailCache);
                return new CachedItem(null, true);
            case CacheEntryKind.Pointer when Guid.TryParse(entry.Owner, out var id):
            {
                var user = await GetUserAsync(id, ct => loadById(id, ct), cancellationToken).ConfigureAwait(false);
                if (user.Item is { } item && HoldsEmail(item, emailToken))
                {
                    CacheTelemetry.Hit(CacheTelemetry.EmailCache);
                    return user;
                }

                // The pointer is out of date (the email moved, or its user left): ask the table, and replace the
                // pointer with the answer unless a write replaced it first.
                CacheTelemetry.Miss(CacheTelemetry.EmailCache);
                var found = await loadByEmail(cancellationToken).ConfigureAwait(false);
                await ReplacePointerAsync(key, raw!, found).ConfigureAwait(false);
                return new CachedItem(found, false);
            }

            default:
                CacheTelemetry.Miss(CacheTelemetry.EmailCache);
                var loaded = await _itemFlights.RunAsync(FlightKey(key, entry), () => LoadEmailAsync(key, loadByEmail, Seen(entry, raw)), cancellationToken).ConfigureAwait(false);
                return new CachedItem(loaded, false);
        }
    }

    /// <summary>
    /// A page of the active-users list (<paramref name="pageId"/>: the page's limit and cursor, see <see cref="PageId"/>)
    /// from the cache under the list's current generation, or from <paramref name="load"/>, then cached unless a user
    /// changed meanwhile.
    /// </summary>
    public async Task<CachedPage> GetActivePageAsync(string pageId, Func<CancellationToken, Task<CachedPage>> load, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pageId);
        ArgumentNullException.ThrowIfNull(load);
        if (_store is null)
        {
            return await load(cancellationToken).ConfigureAwait(false);
        }

        var (ok, generation) = await _guard!.TryAsync(CacheTelemetry.ActivePageCache, () => _store.GetCounterAsync(ActiveGenerationKey)).ConfigureAwait(false);
        var key = ActivePageKey(generation, pageId);
        byte[]? raw = null;
        if (ok)
        {
            (ok, raw) = await _guard.TryAsync(CacheTelemetry.ActivePageCache, () => _store.GetAsync(key)).ConfigureAwait(false);
        }

        if (!ok)
        {
            CacheTelemetry.Miss(CacheTelemetry.ActivePageCache);
            return await load(cancellationToken).ConfigureAwait(false);
        }

        if (Entry(raw) is { Kind: CacheEntryKind.Value } entry && PageOf(entry) is { } cached && !cached.Items.Any(Expired))
        {
            CacheTelemetry.Hit(CacheTelemetry.ActivePageCache);
            return cached;
        }

        CacheTelemetry.Miss(CacheTelemetry.ActivePageCache);
        return await _pageFlights.RunAsync(key, async () =>
        {
            var started = Stopwatch.GetTimestamp();
            var page = await load(CancellationToken.None).ConfigureAwait(false);
            if (InTime(started) && page.Items.All(UserProtection.IsSealed))
            {
                var bytes = Encode(CacheEntryKind.Value, 0, CacheEntry.NoOwner, _options.ActivePageTtl, started, EncodePage(page));
                await _guard.TryAsync(CacheTelemetry.ActivePageCache, () => _store.InstallPageAsync(ActiveGenerationKey, generation, key, bytes, _options.ActivePageTtl)).ConfigureAwait(false);
            }

            return page;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A page's id in its key: the limit and a digest of the cursor (the first page is <c>{limit}:first</c>).</summary>
    public static string PageId(int limit, string? cursor) =>
        limit.ToString(CultureInfo.InvariantCulture) + ":"
        + (cursor is null ? "first" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cursor)).AsSpan(0, 16)));

    /// <summary>
    /// After a write of a user has committed (or been seen on the stream): its entry, its email keys and the active-users
    /// pages are invalidated; nothing older than <paramref name="version"/> can be installed for it until the tombstone
    /// expires. False when the cache could not be reached (the stream's invalidation retries then).
    /// </summary>
    /// <param name="emailTokens">The blind indexes of the emails the user held before and after the write (no duplicates needed).</param>
    public Task<bool> InvalidateAsync(Guid id, long version, IEnumerable<string> emailTokens) =>
        InvalidateAsync(id, version, emailTokens, TimeSpan.Zero, CancellationToken.None);

    /// <summary>
    /// <see cref="InvalidateAsync(Guid, long, IEnumerable{string})"/>, for a caller that must see it land (the stream's
    /// invalidation): with <paramref name="persistFor"/> above zero each call is made even while the circuit is open (the
    /// circuit spares readers a failing cache; an invalidation that is skipped leaves the old version readable until its
    /// entry expires), and a call that failed is made again after a pause, 50 ms doubling to 1 s, until every call has
    /// landed, <paramref name="persistFor"/> has passed or <paramref name="ct"/> ends. A call made twice does no harm: a
    /// tombstone keeps the highest version, and the pages' generation only has to move.
    /// </summary>
    public async Task<bool> InvalidateAsync(Guid id, long version, IEnumerable<string> emailTokens, TimeSpan persistFor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(emailTokens);
        if (_store is null)
        {
            return true;
        }

        var owner = id.ToString("D");
        var tombstone = Encode(CacheEntryKind.Tombstone, version, owner, _options.TombstoneTtl, Stopwatch.GetTimestamp(), ReadOnlyMemory<byte>.Empty);
        var pending = new List<(string Cache, Func<Task> Call)>
        {
            (CacheTelemetry.UserCache, () => _store.InvalidateAsync(UserKey(id), tombstone, _options.TombstoneTtl)),
            (CacheTelemetry.ActivePageCache, () => _store.IncrementAsync(ActiveGenerationKey)),
        };
        pending.AddRange(emailTokens.Where(t => !string.IsNullOrEmpty(t)).Distinct(StringComparer.Ordinal)
            .Select(t => (CacheTelemetry.EmailCache, (Func<Task>)(() => _store.InvalidateAsync(EmailKey(t), tombstone, _options.TombstoneTtl)))));
        var persist = persistFor > TimeSpan.Zero;
        var started = Stopwatch.GetTimestamp();
        var pause = FirstInvalidationPause;
        while (true)
        {
            var landed = await Task.WhenAll(pending.Select(c => _guard!.TryAsync(c.Cache, c.Call, evenWhenOpen: persist))).ConfigureAwait(false);
            pending = [.. pending.Where((_, i) => !landed[i])];
            if (pending.Count == 0)
            {
                return true;
            }

            if (!persist || ct.IsCancellationRequested || Stopwatch.GetElapsedTime(started) + pause > persistFor)
            {
                return false;
            }

            try
            {
                await Task.Delay(pause, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            pause = pause * 2 < LastInvalidationPause ? pause * 2 : LastInvalidationPause;
        }
    }

    private static readonly TimeSpan FirstInvalidationPause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LastInvalidationPause = TimeSpan.FromSeconds(1);

    public void Dispose() => (_store as IDisposable)?.Dispose();

    /// <summary>The raw tombstone a reader found (its negative answer may replace exactly that one), or null.</summary>
    private static byte[]? Seen(CacheEntry? entry, byte[]? raw) => entry is { Kind: CacheEntryKind.Tombstone } ? raw : null;

    /// <summary>
    /// Caches "no such item". Into an empty key; over a tombstone only if it is still the one the reader found before
    /// its load began (the load then started after that write, and no later write has come since).
    /// </summary>
    private Task<(bool Ok, bool Value)> RememberAbsentAsync(string cache, string key, byte[] negative, byte[]? seenTombstone) =>
        seenTombstone is null
            ? _guard!.TryAsync(cache, () => _store!.InstallAsync(key, negative, _options.NegativeTtl))
            : _guard!.TryAsync(cache, () => _store!.ReplaceAsync(key, seenTombstone, negative, _options.NegativeTtl));

    private async Task<Dictionary<string, AttributeValue>?> LoadUserAsync(
        Guid id, string key, Func<CancellationToken, Task<Dictionary<string, AttributeValue>?>> load, byte[]? seenTombstone)
    {
        var started = Stopwatch.GetTimestamp();
        var item = await load(CancellationToken.None).ConfigureAwait(false);
        if (!InTime(started))
        {
            return item;
        }

        if (item is null)
        {
            var negative = Encode(CacheEntryKind.Negative, 0, CacheEntry.NoOwner, _options.NegativeTtl, started, ReadOnlyMemory<byte>.Empty);
            await RememberAbsentAsync(CacheTelemetry.UserCache, key, negative, seenTombstone).ConfigureAwait(false);
        }
        else if (UserProtection.IsSealed(item) && TtlFor(item, _options.UserTtl) is { } ttl)
        {
            var bytes = Encode(CacheEntryKind.Value, VersionOf(item), id.ToString("D"), ttl, started, ItemCodec.Encode(item));
            await _guard!.TryAsync(CacheTelemetry.UserCache, () => _store!.InstallAsync(key, bytes, ttl)).ConfigureAwait(false);
        }

        return item;
    }

    private async Task<Dictionary<string, AttributeValue>?> LoadEmailAsync(
        string key, Func<CancellationToken, Task<Dictionary<string, AttributeValue>?>> loadByEmail, byte[]? seenTombstone)
    {
        var started = Stopwatch.GetTimestamp();
        var item = await loadByEmail(CancellationToken.None).ConfigureAwait(false);
        if (InTime(started) && AnswerFor(item, started) is { } answer)
        {
            await (item is null
                ? RememberAbsentAsync(CacheTelemetry.EmailCache, key, answer.Bytes, seenTombstone)
                : _guard!.TryAsync(CacheTelemetry.EmailCache, () => _store!.InstallAsync(key, answer.Bytes, answer.Ttl))).ConfigureAwait(false);
        }

        return item;
    }

    private async Task ReplacePointerAsync(string key, byte[] stale, Dictionary<string, AttributeValue>? found)
    {
        if (AnswerFor(found, Stopwatch.GetTimestamp()) is { } answer)
        {
            await _guard!.TryAsync(CacheTelemetry.EmailCache, () => _store!.ReplaceAsync(key, stale, answer.Bytes, answer.Ttl)).ConfigureAwait(false);
        }
    }

    /// <summary>What an email key should hold after a lookup: a pointer to the user found, or "no one".</summary>
    private (byte[] Bytes, TimeSpan Ttl)? AnswerFor(Dictionary<string, AttributeValue>? found, long started)
    {
        if (found is null)
        {
            return (Encode(CacheEntryKind.Negative, 0, CacheEntry.NoOwner, _options.NegativeTtl, started, ReadOnlyMemory<byte>.Empty), _options.NegativeTtl);
        }

        if (!UserProtection.IsSealed(found) || TtlFor(found, _options.EmailTtl) is not { } ttl)
        {
            return null;
        }

        var id = new ItemReader(found).Guid(Attr.Id).ToString("D");
        return (Encode(CacheEntryKind.Pointer, VersionOf(found), id, ttl, started, ReadOnlyMemory<byte>.Empty), ttl);
    }

    /// <summary>
    /// The early refresh of a hit ("optimal probabilistic cache stampede prevention"): refreshes in the background when
    /// now − loadTime·β·ln(random) passes the entry's expiry, so hot entries are reloaded before they expire and cold
    /// ones are not. One refresh per key at a time.
    /// </summary>
    private void RefreshEarly(string key, CacheEntry entry, Func<Task<Dictionary<string, AttributeValue>?>> reload)
    {
        if (_options.EarlyRefreshBeta <= 0)
        {
            return;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var gap = Math.Max(1, entry.LoadMs) * _options.EarlyRefreshBeta * -Math.Log(1 - Random.Shared.NextDouble());
        if (now + gap < entry.ExpiresAtMs)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await _itemFlights.RunAsync("refresh|" + key, reload, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failed refresh leaves the entry to expire; the next miss loads it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _log?.Invoke("An early cache refresh failed (" + e.GetType().Name + "); the entry expires as usual.");
            }
        });
    }

    /// <summary>
    /// Readers that found a key in the same state share a load. One that found a tombstone shares only with readers that
    /// found the same tombstone, whose load started after the write it marks: never with a load that may predate it.
    /// </summary>
    private static string FlightKey(string key, CacheEntry? entry) =>
        entry is { Kind: CacheEntryKind.Tombstone }
            ? key + "|T" + entry.Version.ToString(CultureInfo.InvariantCulture) + ":" + entry.Owner
            : key + "|-";

    private static bool HoldsEmail(Dictionary<string, AttributeValue> item, string emailToken) =>
        item.TryGetValue(Attr.EmailKey, out var key) && string.Equals(key.S, emailToken, StringComparison.Ordinal);

    /// <summary>A load that took longer than half a tombstone's life installs nothing (a write's tombstone may have expired meanwhile).</summary>
    private bool InTime(long started) => Stopwatch.GetElapsedTime(started) < _options.TombstoneTtl / 2;

    private bool Expired(Dictionary<string, AttributeValue> item) =>
        ExpiresAt(item) is { } expiry && expiry <= _time.GetUtcNow();

    /// <summary>The entry's life: <paramref name="ttl"/>, or less when the item itself expires (its <c>ttl</c>) sooner; null when already expired.</summary>
    private TimeSpan? TtlFor(Dictionary<string, AttributeValue> item, TimeSpan ttl)
    {
        if (ExpiresAt(item) is not { } expiry)
        {
            return ttl;
        }

        var left = expiry - _time.GetUtcNow();
        return left <= TimeSpan.Zero ? null : left < ttl ? left : ttl;
    }

    private static DateTimeOffset? ExpiresAt(Dictionary<string, AttributeValue> item) =>
        item.TryGetValue(Attr.Ttl, out var ttl) && long.TryParse(ttl.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static long VersionOf(Dictionary<string, AttributeValue> item) =>
        item.TryGetValue(Attr.Version, out var v) && long.TryParse(v.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var version) ? version : 0;

    private byte[] Encode(CacheEntryKind kind, long version, string owner, TimeSpan ttl, long started, ReadOnlyMemory<byte> payload) =>
        new CacheEntry(
            kind,
            version,
            owner,
            _time.GetUtcNow().Add(ttl).ToUnixTimeMilliseconds(),
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            payload).Encode();

    /// <summary>The entry, or null for an absent or unreadable value (an unreadable one is loaded over, as a miss).</summary>
    private static CacheEntry? Entry(byte[]? raw)
    {
        if (raw is null)
        {
            return null;
        }

        try
        {
            return CacheEntry.Decode(raw);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static Dictionary<string, AttributeValue>? ItemOf(CacheEntry entry)
    {
        try
        {
            return ItemCodec.Decode(entry.Payload.Span);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[] EncodePage(CachedPage page)
    {
        using var stream = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, page.Items.Count);
        stream.Write(length);
        foreach (var item in page.Items)
        {
            var bytes = ItemCodec.Encode(item);
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            stream.Write(length);
            stream.Write(bytes);
        }

        var cursor = page.NextCursor is null ? null : Encoding.UTF8.GetBytes(page.NextCursor);
        BinaryPrimitives.WriteInt32LittleEndian(length, cursor?.Length ?? -1);
        stream.Write(length);
        if (cursor is not null)
        {
            stream.Write(cursor);
        }

        return stream.ToArray();
    }

    private static CachedPage? PageOf(CacheEntry entry)
    {
        try
        {
            var span = entry.Payload.Span;
            var count = BinaryPrimitives.ReadInt32LittleEndian(span);
            var at = 4;
            var items = new List<Dictionary<string, AttributeValue>>(count);
            for (var i = 0; i < count; i++)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
                items.Add(ItemCodec.Decode(span.Slice(at + 4, length)));
                at += 4 + length;
            }

            var cursorLength = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            var cursor = cursorLength < 0 ? null : Encoding.UTF8.GetString(span.Slice(at + 4, cursorLength));
            return new CachedPage(items, cursor);
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}

/// <summary>A stored item read through the cache: null when there is none; <see cref="FromCache"/> when the cache answered.</summary>
public readonly record struct CachedItem(Dictionary<string, AttributeValue>? Item, bool FromCache);

/// <summary>A page of stored items as the cache holds it: the items as stored and the next page's cursor.</summary>
public sealed record CachedPage(IReadOnlyList<Dictionary<string, AttributeValue>> Items, string? NextCursor);
