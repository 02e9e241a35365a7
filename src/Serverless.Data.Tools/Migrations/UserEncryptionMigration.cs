using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Data.Writing;

namespace Serverless.Data.Tools.Migrations;

/// <summary>
/// Plaintext users (schema version 2 or older) -> the sealed shape (version 3, docs/privacy.md): per user, in one
/// transaction conditional on the user item as read, the item sealed, its key item made, its email marker, name-word
/// and city items re-keyed by blind index and its orders' copies of email and name sealed (<see cref="UserSealing"/>).
/// Down opens every sealed user back to the plaintext items it had (<see cref="UserUnsealing"/>) and deletes its key.
/// <para>
/// Reads keep working throughout: they accept both shapes, and with <c>TableOptions.PlaintextLookups</c> the lookups
/// try both keys. Resumable like <see cref="UserPhoneMigration"/>: the scan position is checkpointed after every page
/// (MIGRATION#users-sealed / RUN); a user already in the target shape is counted as done and never written, and one
/// written meanwhile by the API is skipped (the API's write wins; it sealed the user itself).
/// </para>
/// </summary>
public sealed class UserEncryptionMigration
{
    public const string Id = "users-sealed";
    public const string Description = "User schema v1/v2 (plaintext) -> v3: PII sealed under each user's key, lookups by blind index, orders' copies sealed.";

    private readonly IAmazonDynamoDB _client;
    private readonly string _tableName;
    private readonly TimeProvider _time;
    private readonly MigrationStore _store;
    private readonly FieldProtection _privacy;
    private readonly TransactionWriter _transactions;
    private readonly BatchWriter _batches;

    public UserEncryptionMigration(IAmazonDynamoDB client, string tableName, IRootKey rootKey, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentNullException.ThrowIfNull(rootKey);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _client = client;
        _tableName = tableName;
        _time = timeProvider;
        _store = new MigrationStore(client, tableName, Id);
        _privacy = new FieldProtection(client, tableName, rootKey, timeProvider);
        _transactions = new TransactionWriter(client, timeProvider);
        _batches = new BatchWriter(client, new BatchWriteOptions { Parallelism = 1 }, timeProvider);
    }

    public Task<MigrationReport> UpAsync(MigrationRunOptions options, Action<long>? onExamined, CancellationToken cancellationToken) =>
        RunAsync(MigrationDirection.Up, options, onExamined, cancellationToken);

    public Task<MigrationReport> DownAsync(MigrationRunOptions options, Action<long>? onExamined, CancellationToken cancellationToken) =>
        RunAsync(MigrationDirection.Down, options, onExamined, cancellationToken);

    /// <summary>Users in each shape: plaintext ones count as the old shape (v1/v2), sealed ones as the new (v3).</summary>
    public async Task<MigrationStatus> StatusAsync(CancellationToken cancellationToken)
    {
        long plaintext = 0, sealedUsers = 0;
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await ScanPageAsync(0, 1, start, 1000, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                if (UserSealing.IsPlaintext(item))
                {
                    plaintext++;
                }
                else
                {
                    sealedUsers++;
                }
            }

            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        var checkpoint = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        var failures = checkpoint is null ? [] : await _store.FailuresAsync(checkpoint.Direction, cancellationToken).ConfigureAwait(false);
        return new MigrationStatus(Id, Description, plaintext, sealedUsers, checkpoint, failures.Count) { OldShape = "plaintext", NewShape = "sealed" };
    }

    private async Task<MigrationReport> RunAsync(MigrationDirection direction, MigrationRunOptions options, Action<long>? onExamined, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var notices = new List<string>();
        var segments = options.Segments;
        if (segments > 1 && !await ScanSegments.AreHonouredAsync(_client, _tableName, cancellationToken).ConfigureAwait(false))
        {
            notices.Add($"The endpoint ignores parallel scan segments (DynamoDB Local does); scanning with 1 segment instead of {segments}.");
            segments = 1;
        }

        if (options.DryRun)
        {
            return await DryRunAsync(direction, options, segments, notices, onExamined, cancellationToken).ConfigureAwait(false);
        }

        var checkpoint = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        var resumed = checkpoint is { IsRunning: true } && checkpoint.Direction == direction;
        if (resumed)
        {
            notices.Add($"Resuming the run started {checkpoint!.StartedAt:u}.");
        }
        else
        {
            if (checkpoint is { IsRunning: true })
            {
                // Safe: every write is conditional on the shape read, so the other direction's half-done work is simply continued backwards.
                notices.Add($"An interrupted '{checkpoint.Direction.ToName()}' run is superseded by this '{direction.ToName()}' run.");
            }

            await _store.ClearFailuresAsync(cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            checkpoint = new MigrationCheckpoint
            {
                Direction = direction,
                State = MigrationCheckpoint.Running,
                Segments = [.. Enumerable.Range(0, segments).Select(_ => new SegmentPosition(false, null))],
                StartedAt = now,
                UpdatedAt = now,
                RatePerSecond = options.RatePerSecond,
            };
            await _store.SaveAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        }

        var run = new Run(this, direction, options, checkpoint, onExamined);
        await Task.WhenAll(Enumerable.Range(0, checkpoint.Segments.Count).Select(s => run.ScanSegmentAsync(s, cancellationToken))).ConfigureAwait(false);
        var completed = await run.CompleteAsync(cancellationToken).ConfigureAwait(false);
        var failures = await _store.FailuresAsync(direction, cancellationToken).ConfigureAwait(false);
        return new MigrationReport(Id, direction, DryRun: false, resumed, completed.Segments.Count, completed.Counts, failures, notices);
    }

    private async Task<MigrationReport> DryRunAsync(
        MigrationDirection direction, MigrationRunOptions options, int segments, List<string> notices, Action<long>? onExamined, CancellationToken cancellationToken)
    {
        // Planning needs a keyring; a table that has none yet gets none from a dry run (making one is a write).
        var keyring = (await _privacy.Keyring.VersionsAsync(cancellationToken).ConfigureAwait(false)).Count > 0
            ? await _privacy.KeysAsync(cancellationToken).ConfigureAwait(false)
            : KeyringSnapshot.Ephemeral();
        var failures = new List<MigrationFailure>();
        var gate = new Lock();
        long examined = 0, changed = 0, alreadyDone = 0;
        await Task.WhenAll(Enumerable.Range(0, segments).Select(async segment =>
        {
            Dictionary<string, AttributeValue>? start = null;
            do
            {
                var page = await ScanPageAsync(segment, segments, start, options.PageSize, cancellationToken).ConfigureAwait(false);
                var items = page.Items ?? [];
                var plans = new UserRewritePlan?[items.Count];
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, items.Count).Where(i => IsInOldShape(direction, items[i])),
                    new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
                    async (i, ct) => plans[i] = await PlanAsync(direction, items[i], keyring, ct).ConfigureAwait(false)).ConfigureAwait(false);
                lock (gate)
                {
                    for (var i = 0; i < items.Count; i++)
                    {
                        examined++;
                        if (plans[i] is not { IsNothingToDo: false } plan)
                        {
                            alreadyDone++;
                        }
                        else if (plan.Failure is { } reason)
                        {
                            failures.Add(new MigrationFailure(KeyOf(items[i]), reason));
                        }
                        else
                        {
                            changed++;
                        }
                    }
                }

                onExamined?.Invoke(items.Count);
                start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
            }
            while (start is not null);
        })).ConfigureAwait(false);

        return new MigrationReport(Id, direction, DryRun: true, Resumed: false, segments, new MigrationCounts(examined, changed, 0, failures.Count, alreadyDone), failures, notices);
    }

    /// <summary>The user's items read afresh and its rewrite planned from them (nothing to do when it is no longer in the old shape).</summary>
    private async Task<UserRewritePlan> PlanAsync(MigrationDirection direction, Dictionary<string, AttributeValue> scanned, KeyringSnapshot keyring, CancellationToken cancellationToken)
    {
        var stored = await UserSealing.ReadAsync(_client, _tableName, new ItemReader(scanned).Guid(Attr.Id), cancellationToken, scanned).ConfigureAwait(false);
        if (stored is null)
        {
            return UserRewritePlan.NothingToDo;
        }

        return direction == MigrationDirection.Up
            ? UserSealing.PlanSeal(stored, keyring, _tableName, _time.GetUtcNow())
            : UserUnsealing.PlanOpen(stored, keyring, _tableName);
    }

    /// <summary>One page of users, whatever their shape (so the report can say how many are already done; a Scan reads every item before its filter anyway).</summary>
    private Task<ScanResponse> ScanPageAsync(
        int segment, int segments, Dictionary<string, AttributeValue>? start, int pageSize, CancellationToken cancellationToken)
    {
        var request = new ScanRequest
        {
            TableName = _tableName,
            FilterExpression = "#et = :user",
            ExpressionAttributeNames = new() { ["#et"] = Attr.EntityType },
            ExpressionAttributeValues = new() { [":user"] = Av.S(EntityTypes.User) },
            Limit = pageSize,
            ExclusiveStartKey = start,
            // Consistent, so a resumed run sees every write of the run before it.
            ConsistentRead = true,
        };
        if (segments > 1)
        {
            request.Segment = segment;
            request.TotalSegments = segments;
        }

        return _client.ScanAsync(request, cancellationToken);
    }

    private static bool IsInOldShape(MigrationDirection direction, Dictionary<string, AttributeValue> item) =>
        direction == MigrationDirection.Up ? UserSealing.IsPlaintext(item) : UserUnsealing.IsSealed(item);

    private static ItemKey KeyOf(Dictionary<string, AttributeValue> item) => new(item[Attr.PK].S, item[Attr.SK].S);

    /// <summary>The state of one real run: the checkpoint, guarded because segments run in parallel.</summary>
    private sealed class Run(UserEncryptionMigration migration, MigrationDirection direction, MigrationRunOptions options, MigrationCheckpoint checkpoint, Action<long>? onExamined)
    {
        private readonly SemaphoreSlim _saveGate = new(1, 1);
        private readonly Pacer _pacer = new(options.RatePerSecond, migration._time);
        private MigrationCheckpoint _checkpoint = checkpoint;

        public async Task ScanSegmentAsync(int segment, CancellationToken cancellationToken)
        {
            var position = _checkpoint.Segments[segment];
            var start = position.LastKey;
            var segments = _checkpoint.Segments.Count;
            while (!position.Done)
            {
                var page = await migration.ScanPageAsync(segment, segments, start, options.PageSize, cancellationToken).ConfigureAwait(false);
                var counts = await ProcessPageAsync(page.Items ?? [], cancellationToken).ConfigureAwait(false);
                start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
                position = new SegmentPosition(start is null, start);
                await SavePositionAsync(segment, position, counts, cancellationToken).ConfigureAwait(false);
                onExamined?.Invoke(page.Items?.Count ?? 0);
            }
        }

        public async Task<MigrationCheckpoint> CompleteAsync(CancellationToken cancellationToken)
        {
            var now = migration._time.GetUtcNow();
            _checkpoint = _checkpoint with { State = MigrationCheckpoint.Completed, UpdatedAt = now, CompletedAt = now };
            await migration._store.SaveAsync(_checkpoint, cancellationToken).ConfigureAwait(false);
            return _checkpoint;
        }

        private async Task<MigrationCounts> ProcessPageAsync(List<Dictionary<string, AttributeValue>> items, CancellationToken cancellationToken)
        {
            long changed = 0, skipped = 0, failed = 0;
            var todo = items.Where(item => IsInOldShape(direction, item)).ToList();
            var oldItems = new System.Collections.Concurrent.ConcurrentBag<ItemKey>();
            var keyring = await migration._privacy.KeysAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Parallel.ForEachAsync(
                    todo,
                    new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
                    async (item, ct) =>
                    {
                        var plan = await migration.PlanAsync(direction, item, keyring, ct).ConfigureAwait(false);
                        if (plan.Failure is { } reason)
                        {
                            await migration._store.RecordFailureAsync(direction, KeyOf(item), reason, ct).ConfigureAwait(false);
                            Interlocked.Increment(ref failed);
                            return;
                        }

                        if (plan.Rewrite is not { } rewrite)
                        {
                            // In the target shape since the scan read it (an API write, or a seal on read): theirs stands.
                            Interlocked.Increment(ref skipped);
                            return;
                        }

                        await _pacer.WaitAsync(ct).ConfigureAwait(false);
                        // Not cancellable once begun: the user's transaction and its orders beyond it belong together.
                        // Cancellation (Ctrl+C) stops before the next user; the SDK's timeout bounds each call.
                        var written = await UserSealing.ExecuteAsync(migration._client, migration._transactions, rewrite, CancellationToken.None).ConfigureAwait(false);
                        Interlocked.Increment(ref written ? ref changed : ref skipped);
                        if (written)
                        {
                            foreach (var key in rewrite.DeleteAfter)
                            {
                                oldItems.Add(key);
                            }
                        }
                    }).ConfigureAwait(false);
            }
            finally
            {
                // Even when cancelled: the users written have their new lookup items, and their old ones must go.
                await UserSealing.DeleteOldItemsAsync(migration._batches, migration._tableName, oldItems, CancellationToken.None).ConfigureAwait(false);
            }
            return new MigrationCounts(items.Count, changed, skipped, failed, items.Count - todo.Count);
        }

        private async Task SavePositionAsync(int segment, SegmentPosition position, MigrationCounts counts, CancellationToken cancellationToken)
        {
            await _saveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var segments = _checkpoint.Segments.ToArray();
                segments[segment] = position;
                _checkpoint = _checkpoint with { Segments = segments, Counts = _checkpoint.Counts.Add(counts), UpdatedAt = migration._time.GetUtcNow() };
                await migration._store.SaveAsync(_checkpoint, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _saveGate.Release();
            }
        }
    }
}
