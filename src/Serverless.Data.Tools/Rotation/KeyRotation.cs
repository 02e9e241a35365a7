using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Tools.Migrations;
using Serverless.Data.Users;

namespace Serverless.Data.Tools.Rotation;

/// <summary>
/// The keyring's rotation (docs/privacy.md, "Rotation"): optionally a new active field and/or blind version, then a
/// backfill that moves every user (its ciphertexts, email token, marker, word and city items) and every order
/// header (its copies of the user's email and name) to the active versions, and, once no item uses an old version,
/// its retirement.
/// <para>
/// As the migrations: each rewrite is conditional on the item still holding what was read, so a concurrent API write
/// is never lost and an item already moved is never written again; the scan position is checkpointed in the table
/// after every page, so a killed run resumes where it stopped; writes are paced; a dry run writes nothing. Lookups
/// try every live blind version while the items move, so none misses.
/// </para>
/// </summary>
public sealed class KeyRotation
{
    /// <summary>The <c>lastWriter</c> of every item a rotation rewrites: what the audit trail names as the one who changed it.</summary>
    public const string Writer = "system:rotate-keys";

    private const int Attempts = 5;

    private readonly TableAccess _access;
    private readonly UserRepository _users;
    private readonly KeyRotationStore _store;

    public KeyRotation(IAmazonDynamoDB client, string tableName, IRootKey rootKey, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentNullException.ThrowIfNull(rootKey);
        ArgumentNullException.ThrowIfNull(timeProvider);
        // The cursor key signs page cursors, which a rotation never hands out; it only has to be valid.
        var options = new TableOptions { TableName = tableName, CursorSigningKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) };
        _access = new TableAccess(client, options, timeProvider, rootKey);
        _users = new UserRepository(_access);
        _store = new KeyRotationStore(client, tableName);
    }

    private IAmazonDynamoDB Client => _access.Client;

    private string TableName => _access.TableName;

    private TimeProvider Time => _access.Time;

    private Keyring Keyring => _access.Privacy.Keyring;

    /// <param name="onExamined">Called after each scan page with the number of items it held (progress).</param>
    /// <param name="onVersionsAdded">Called once the versions this run makes exist, before the settle wait and before any item moves.</param>
    public async Task<KeyRotationReport> RunAsync(
        KeyRotationOptions options,
        Action<long>? onExamined,
        Func<IReadOnlyList<KeyVersion>, CancellationToken, Task>? onVersionsAdded,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var watch = Stopwatch.StartNew();
        var notices = new List<string>();
        var segments = options.Segments;
        if (segments > 1 && !await ScanSegments.AreHonouredAsync(Client, TableName, cancellationToken).ConfigureAwait(false))
        {
            notices.Add($"The endpoint ignores parallel scan segments (DynamoDB Local does); scanning with 1 segment instead of {segments}.");
            segments = 1;
        }

        var before = await VersionCensus.TakeAsync(Client, TableName, cancellationToken).ConfigureAwait(false);
        var stored = await Keyring.VersionsAsync(cancellationToken).ConfigureAwait(false);
        if (options.DryRun && (!stored.Any(v => v.Purpose == KeyPurpose.Field) || !stored.Any(v => v.Purpose == KeyPurpose.Blind)))
        {
            // Reading the keys would make them (the first use of a keyring does): nothing is sealed without them anyway.
            notices.Add("The table has no keyring yet: nothing is sealed, nothing would move.");
            return new KeyRotationReport(DryRun: true, Resumed: false, segments, 0, 0, [], new KeyRotationCounts(), before, After: null, [], [], notices, watch.Elapsed);
        }

        // The first use of an empty table's keyring makes version 1 of each purpose, as the API's first use would.
        var snapshot = await Keyring.GetAsync(cancellationToken).ConfigureAwait(false);
        if (options.DryRun)
        {
            return await DryRunAsync(options, snapshot, before, segments, notices, onExamined, watch, cancellationToken).ConfigureAwait(false);
        }

        var (checkpoint, added, resumed) = await StartAsync(options, snapshot, segments, notices, cancellationToken).ConfigureAwait(false);
        if (added.Count > 0 && onVersionsAdded is not null)
        {
            await onVersionsAdded(added, cancellationToken).ConfigureAwait(false);
        }

        var wait = checkpoint.ReadyAt - Time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            notices.Add($"Waited {wait.TotalSeconds:N0} s after adding the version(s), until every instance's cached keyring knows them.");
            await Task.Delay(wait, Time, cancellationToken).ConfigureAwait(false);
        }

        // Fresh keys: those this run moves to, whatever was cached before.
        Keyring.Invalidate();
        snapshot = await Keyring.GetAsync(cancellationToken).ConfigureAwait(false);
        var run = new Run(this, options, checkpoint, onExamined);
        await Task.WhenAll(Enumerable.Range(0, checkpoint.Segments.Count).Select(s => run.ScanSegmentAsync(s, snapshot, cancellationToken))).ConfigureAwait(false);
        var completed = await run.CompleteAsync(cancellationToken).ConfigureAwait(false);

        var after = await VersionCensus.TakeAsync(Client, TableName, cancellationToken).ConfigureAwait(false);
        var (unused, retired) = await RetireUnusedAsync(options.Retire, after, notices, cancellationToken).ConfigureAwait(false);
        if (completed.Counts.Unfinished > 0)
        {
            notices.Add($"{completed.Counts.Unfinished} item(s) changed under every attempt and were left as they are; run again to move them.");
        }

        return new KeyRotationReport(
            DryRun: false, resumed, completed.Segments.Count, completed.FieldVersion, completed.BlindVersion, added,
            completed.Counts, before, after, unused, retired, notices, watch.Elapsed);
    }

    /// <summary>The run's checkpoint: the interrupted one when it still moves to the active versions, else a new one (after adding the versions asked for).</summary>
    private async Task<(KeyRotationCheckpoint Checkpoint, IReadOnlyList<KeyVersion> Added, bool Resumed)> StartAsync(
        KeyRotationOptions options, KeyringSnapshot snapshot, int segments, List<string> notices, CancellationToken cancellationToken)
    {
        var checkpoint = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (checkpoint is { IsRunning: true } && checkpoint.FieldVersion == snapshot.ActiveField && checkpoint.BlindVersion == snapshot.ActiveBlind)
        {
            notices.Add($"Resuming the run started {checkpoint.StartedAt:u}.");
            if (options.NewFieldKey || options.NewBlindKey)
            {
                // A second new version now would leave the first one's backfill half done for nothing.
                notices.Add("It had added its version(s) already: no new version was made; finish this one, then rotate again.");
            }

            if (checkpoint.Segments.Count != segments)
            {
                notices.Add($"Resuming with the {checkpoint.Segments.Count} segment(s) the interrupted run used.");
            }

            return (checkpoint, [], true);
        }

        if (checkpoint is { IsRunning: true })
        {
            // Safe: every write moves an item to the active versions, whichever run makes it.
            notices.Add($"An interrupted run to field {checkpoint.FieldVersion} / blind {checkpoint.BlindVersion} is superseded: the active versions changed since.");
        }

        var added = new List<KeyVersion>();
        if (options.NewFieldKey)
        {
            added.Add(new KeyVersion(KeyPurpose.Field, await Keyring.AddVersionAsync(KeyPurpose.Field, cancellationToken).ConfigureAwait(false)));
        }

        if (options.NewBlindKey)
        {
            added.Add(new KeyVersion(KeyPurpose.Blind, await Keyring.AddVersionAsync(KeyPurpose.Blind, cancellationToken).ConfigureAwait(false)));
        }

        snapshot = await Keyring.GetAsync(cancellationToken).ConfigureAwait(false);
        var now = Time.GetUtcNow();
        checkpoint = new KeyRotationCheckpoint
        {
            FieldVersion = snapshot.ActiveField,
            BlindVersion = snapshot.ActiveBlind,
            State = KeyRotationCheckpoint.Running,
            Segments = [.. Enumerable.Range(0, segments).Select(_ => new SegmentPosition(false, null))],
            StartedAt = now,
            UpdatedAt = now,
            ReadyAt = added.Count > 0 ? now + options.Settle : now,
        };
        await _store.SaveAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        return (checkpoint, added, false);
    }

    private async Task<KeyRotationReport> DryRunAsync(
        KeyRotationOptions options, KeyringSnapshot snapshot, VersionCensus before, int segments, List<string> notices, Action<long>? onExamined, Stopwatch watch, CancellationToken cancellationToken)
    {
        var added = new List<KeyVersion>();
        var versions = await Keyring.VersionsAsync(cancellationToken).ConfigureAwait(false);
        int Next(KeyPurpose purpose) => versions.Where(v => v.Purpose == purpose).Max(v => v.Version) + 1;
        var field = options.NewFieldKey ? Next(KeyPurpose.Field) : snapshot.ActiveField;
        var blind = options.NewBlindKey ? Next(KeyPurpose.Blind) : snapshot.ActiveBlind;
        if (options.NewFieldKey)
        {
            added.Add(new KeyVersion(KeyPurpose.Field, field));
        }

        if (options.NewBlindKey)
        {
            added.Add(new KeyVersion(KeyPurpose.Blind, blind));
        }

        var counts = new KeyRotationCounts();
        var gate = new Lock();
        await Task.WhenAll(Enumerable.Range(0, segments).Select(async segment =>
        {
            Dictionary<string, AttributeValue>? start = null;
            do
            {
                var page = await ScanPageAsync(segment, segments, start, options.PageSize, cancellationToken).ConfigureAwait(false);
                var pageCounts = new KeyRotationCounts();
                foreach (var item in page.Items ?? [])
                {
                    pageCounts = pageCounts.Add(Plan(item, field, blind));
                }

                lock (gate)
                {
                    counts = counts.Add(pageCounts);
                }

                onExamined?.Invoke(page.Items?.Count ?? 0);
                start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
            }
            while (start is not null);
        })).ConfigureAwait(false);

        var unused = UnusedVersions(versions, before, snapshot);
        return new KeyRotationReport(DryRun: true, Resumed: false, segments, field, blind, added, counts, before, After: null, unused, [], notices, watch.Elapsed);
    }

    /// <summary>What a dry run counts for one scanned item (whether it would be rewritten; without its key, an erased user counts as rewritten).</summary>
    private static KeyRotationCounts Plan(Dictionary<string, AttributeValue> item, int field, int blind)
    {
        var isUser = item[Attr.EntityType].S == EntityTypes.User;
        var versions = UserRepository.FieldVersionsOf(item, isUser ? ProtectedFields.User : ProtectedFields.OrderCopies.Keys).ToList();
        if (isUser)
        {
            return !UserProtection.IsSealed(item) ? new(UsersScanned: 1, UsersSkipped: 1)
                : versions.All(v => v == field) && UserProtection.BlindVersionOf(item) == blind ? new(UsersScanned: 1, UsersCurrent: 1)
                : new(UsersScanned: 1, UsersRewritten: 1);
        }

        return versions.All(v => v == field) ? new(OrdersScanned: 1, OrdersCurrent: 1) : new(OrdersScanned: 1, OrdersRewritten: 1);
    }

    /// <summary>The live versions no item uses (the census taken after the run), retired when asked.</summary>
    private async Task<(IReadOnlyList<KeyVersion> Unused, IReadOnlyList<KeyVersion> Retired)> RetireUnusedAsync(
        bool retire, VersionCensus after, List<string> notices, CancellationToken cancellationToken)
    {
        var versions = await Keyring.VersionsAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = await Keyring.GetAsync(cancellationToken).ConfigureAwait(false);
        foreach (var live in versions.Where(v => v.Status == KeyStatus.Live))
        {
            var items = after.ItemsUnder(live.Purpose, live.Version);
            if (items > 0)
            {
                notices.Add($"{new KeyVersion(live.Purpose, live.Version)}: {items} item(s) still use it; it stays live.");
            }
        }

        var unused = UnusedVersions(versions, after, snapshot);
        if (!retire)
        {
            return (unused, []);
        }

        foreach (var version in unused)
        {
            await Keyring.RetireAsync(version.Purpose, version.Version, cancellationToken).ConfigureAwait(false);
        }

        return (unused, unused);
    }

    private static List<KeyVersion> UnusedVersions(IReadOnlyList<KeyringVersion> versions, VersionCensus census, KeyringSnapshot snapshot) =>
    [
        .. versions
            .Where(v => v.Status == KeyStatus.Live
                && v.Version != (v.Purpose == KeyPurpose.Field ? snapshot.ActiveField : snapshot.ActiveBlind)
                && census.ItemsUnder(v.Purpose, v.Version) == 0)
            .OrderBy(v => v.Purpose)
            .ThenBy(v => v.Version)
            .Select(v => new KeyVersion(v.Purpose, v.Version)),
    ];

    /// <summary>
    /// One page of users and order headers, whatever their versions: a Scan reads (and is charged for) every item
    /// before its filter applies, so filtering on old versions would read no less, and the report can say how many
    /// were already current.
    /// </summary>
    private Task<ScanResponse> ScanPageAsync(int segment, int segments, Dictionary<string, AttributeValue>? start, int pageSize, CancellationToken cancellationToken)
    {
        var request = new ScanRequest
        {
            TableName = TableName,
            FilterExpression = "#et IN (:user, :order)",
            ExpressionAttributeNames = new() { ["#et"] = Attr.EntityType },
            ExpressionAttributeValues = new() { [":user"] = Av.S(EntityTypes.User), [":order"] = Av.S(EntityTypes.Order) },
            Limit = pageSize,
            ExclusiveStartKey = start,
            // Consistent, so a resumed run sees every write of the run before it and skips what that one moved.
            ConsistentRead = true,
        };
        if (segments > 1)
        {
            request.Segment = segment;
            request.TotalSegments = segments;
        }

        return Client.ScanAsync(request, cancellationToken);
    }

    /// <summary>The state of one real run: the checkpoint, guarded because segments run in parallel.</summary>
    private sealed class Run(KeyRotation rotation, KeyRotationOptions options, KeyRotationCheckpoint checkpoint, Action<long>? onExamined)
    {
        private readonly SemaphoreSlim _saveGate = new(1, 1);
        private readonly Pacer _pacer = new(options.RatePerSecond, rotation.Time);
        private KeyRotationCheckpoint _checkpoint = checkpoint;

        public async Task ScanSegmentAsync(int segment, KeyringSnapshot snapshot, CancellationToken cancellationToken)
        {
            var position = _checkpoint.Segments[segment];
            var start = position.LastKey;
            var segments = _checkpoint.Segments.Count;
            while (!position.Done)
            {
                var page = await rotation.ScanPageAsync(segment, segments, start, options.PageSize, cancellationToken).ConfigureAwait(false);
                var counts = await ProcessPageAsync(page.Items ?? [], snapshot, cancellationToken).ConfigureAwait(false);
                start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
                position = new SegmentPosition(start is null, start);
                await SavePositionAsync(segment, position, counts, cancellationToken).ConfigureAwait(false);
                onExamined?.Invoke(page.Items?.Count ?? 0);
            }
        }

        public async Task<KeyRotationCheckpoint> CompleteAsync(CancellationToken cancellationToken)
        {
            var now = rotation.Time.GetUtcNow();
            _checkpoint = _checkpoint with { State = KeyRotationCheckpoint.Completed, UpdatedAt = now, CompletedAt = now };
            await rotation._store.SaveAsync(_checkpoint, cancellationToken).ConfigureAwait(false);
            return _checkpoint;
        }

        private async Task<KeyRotationCounts> ProcessPageAsync(List<Dictionary<string, AttributeValue>> items, KeyringSnapshot snapshot, CancellationToken cancellationToken)
        {
            var users = items.Where(i => i[Attr.EntityType].S == EntityTypes.User).ToList();
            var orders = items.Count - users.Count;
            // Judged on the scanned item alone: one already moved costs no read and no write.
            var todo = items.Where(i => i[Attr.EntityType].S == EntityTypes.User
                ? !UserRepository.IsUnderActiveVersions(i, snapshot)
                : !UserRepository.OrderCopiesUnderActiveVersion(i, snapshot)).ToList();
            var currentUsers = users.Count(i => UserRepository.IsUnderActiveVersions(i, snapshot));
            // The users' keys for the whole page in one BatchGetItem per 100, rather than a GetItem each.
            var keys = await rotation._access.Privacy.ForUsersAsync(
                todo.Where(i => i[Attr.EntityType].S == EntityTypes.User).Select(i => new ItemReader(i).Guid(Attr.Id)),
                rotation._access.Reads,
                cancellationToken).ConfigureAwait(false);
            var results = new System.Collections.Concurrent.ConcurrentBag<KeyRotationCounts>();
            await Parallel.ForEachAsync(
                todo,
                new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
                async (item, ct) => results.Add(await RewriteAsync(item, keys, ct).ConfigureAwait(false))).ConfigureAwait(false);
            var counts = new KeyRotationCounts(
                UsersScanned: users.Count,
                UsersCurrent: currentUsers,
                OrdersScanned: orders,
                OrdersCurrent: orders - todo.Count(i => i[Attr.EntityType].S == EntityTypes.Order));
            return results.Aggregate(counts, (sum, one) => sum.Add(one));
        }

        /// <summary>One user or order header moved, read again while it changes under the rewrite.</summary>
        private async Task<KeyRotationCounts> RewriteAsync(
            Dictionary<string, AttributeValue> item, IReadOnlyDictionary<Guid, UserFieldKeys> keys, CancellationToken cancellationToken)
        {
            var isUser = item[Attr.EntityType].S == EntityTypes.User;
            var id = new ItemReader(item).Guid(Attr.Id);
            var counts = new KeyRotationCounts();
            for (var attempt = 1; attempt <= Attempts; attempt++)
            {
                await _pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
                // Not cancellable once sent: a rewrite whose outcome is unknown would be counted neither done nor
                // undone. Cancellation stops before the next item instead; the SDK's timeout still bounds the call.
                if (isUser)
                {
                    // The scanned item is the state the first attempt is conditional on; a retry reads the user again.
                    var outcome = attempt == 1
                        ? await rotation._users.RotateKeysAsync(item, keys.GetValueOrDefault(id), Writer, CancellationToken.None).ConfigureAwait(false)
                        : await rotation._users.RotateKeysAsync(id, Writer, CancellationToken.None).ConfigureAwait(false);
                    if (outcome != KeyRotationOutcome.Changed)
                    {
                        return counts.Add(outcome switch
                        {
                            KeyRotationOutcome.Rewritten => new(UsersRewritten: 1),
                            KeyRotationOutcome.AlreadyCurrent => new(UsersCurrent: 1),
                            _ => new(UsersSkipped: 1),
                        });
                    }
                }
                else
                {
                    var (order, user) = await rotation._users.RotateOrderCopiesAsync(id, Writer, CancellationToken.None).ConfigureAwait(false);
                    if (user == KeyRotationOutcome.Rewritten)
                    {
                        counts = counts.Add(new(UsersRewritten: 1));
                    }

                    if (order != KeyRotationOutcome.Changed)
                    {
                        return counts.Add(order switch
                        {
                            KeyRotationOutcome.Rewritten => new(OrdersRewritten: 1),
                            KeyRotationOutcome.AlreadyCurrent => new(OrdersCurrent: 1),
                            _ => new(OrdersSkipped: 1),
                        });
                    }
                }

                counts = counts.Add(new(Retried: 1));
            }

            return counts.Add(new(Unfinished: 1));
        }

        private async Task SavePositionAsync(int segment, SegmentPosition position, KeyRotationCounts counts, CancellationToken cancellationToken)
        {
            await _saveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var segments = _checkpoint.Segments.ToArray();
                segments[segment] = position;
                _checkpoint = _checkpoint with { Segments = segments, Counts = _checkpoint.Counts.Add(counts), UpdatedAt = rotation.Time.GetUtcNow() };
                await rotation._store.SaveAsync(_checkpoint, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _saveGate.Release();
            }
        }
    }
}
