using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Users;

namespace Serverless.Data.Tools.Migrations;

/// <summary>
/// The seed's v1 -> v2 migration: the phone moves out of <c>metadata.phone</c> into <c>phone</c> (E.164 checked).
/// Reads already upgrade v1 items lazily (<see cref="UserMapper.UpgradeFromV1"/>); this is the backfill that makes
/// the table itself v2, and its rollback.
/// <para>
/// Safety comes from three things: every write is conditional on the item still being in the old shape
/// (schemaVersion and the phone value it was planned from), so re-runs, overlapping segments and concurrent API
/// writes can never double-apply or clobber; a user already in the new shape is counted as done and never
/// written; and the scan position is checkpointed in the table after every page, so a killed run resumes where it
/// stopped instead of rescanning the table.
/// </para>
/// </summary>
public sealed class UserPhoneMigration
{
    public const string Id = "users-v2";
    public const string Description = "User schema v1 -> v2: phone moves from metadata.phone to its own attribute (E.164).";

    private readonly IAmazonDynamoDB _client;
    private readonly string _tableName;
    private readonly TimeProvider _time;
    private readonly MigrationStore _store;

    public UserPhoneMigration(IAmazonDynamoDB client, string tableName, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _client = client;
        _tableName = tableName;
        _time = timeProvider;
        _store = new MigrationStore(client, tableName, Id);
    }

    public Task<MigrationReport> UpAsync(MigrationRunOptions options, Action<long>? onExamined, CancellationToken cancellationToken) =>
        RunAsync(MigrationDirection.Up, options, onExamined, cancellationToken);

    public Task<MigrationReport> DownAsync(MigrationRunOptions options, Action<long>? onExamined, CancellationToken cancellationToken) =>
        RunAsync(MigrationDirection.Down, options, onExamined, cancellationToken);

    public async Task<MigrationStatus> StatusAsync(CancellationToken cancellationToken)
    {
        long v1 = 0, v2 = 0;
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await _client.ScanAsync(
                new ScanRequest
                {
                    TableName = _tableName,
                    FilterExpression = "#et = :user",
                    ProjectionExpression = "#sv",
                    ExpressionAttributeNames = new() { ["#et"] = Attr.EntityType, ["#sv"] = Attr.SchemaVersion },
                    ExpressionAttributeValues = new() { [":user"] = Av.S(EntityTypes.User) },
                    ExclusiveStartKey = start,
                    Limit = ScanPages.Limit,
                },
                cancellationToken).ConfigureAwait(false);
            foreach (var item in response.Items ?? [])
            {
                if (item.TryGetValue(Attr.SchemaVersion, out var sv) && sv.N == "1")
                {
                    v1++;
                }
                else
                {
                    v2++;
                }
            }

            start = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        var checkpoint = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        var failures = checkpoint is null ? [] : await _store.FailuresAsync(checkpoint.Direction, cancellationToken).ConfigureAwait(false);
        return new MigrationStatus(Id, Description, v1, v2, checkpoint, failures.Count);
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
            if (checkpoint!.Segments.Count != segments)
            {
                notices.Add($"Resuming with the {checkpoint.Segments.Count} segment(s) the interrupted run used.");
            }

            notices.Add($"Resuming the run started {checkpoint.StartedAt:u}.");
        }
        else
        {
            if (checkpoint is { IsRunning: true })
            {
                // Safe: every write is conditional on the old shape, so the other direction's half-done work is simply continued backwards.
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
        var failures = new List<MigrationFailure>();
        var gate = new Lock();
        long examined = 0, changed = 0, alreadyDone = 0;
        await Task.WhenAll(Enumerable.Range(0, segments).Select(async segment =>
        {
            Dictionary<string, AttributeValue>? start = null;
            do
            {
                var page = await ScanPageAsync(segment, segments, start, options.PageSize, cancellationToken).ConfigureAwait(false);
                foreach (var item in page.Items ?? [])
                {
                    var shape = IsInOldShape(direction, item) ? Reshape(direction, item) : null;
                    lock (gate)
                    {
                        examined++;
                        if (shape is null)
                        {
                            alreadyDone++;
                        }
                        else if (shape.Failure is { } reason)
                        {
                            failures.Add(new MigrationFailure(KeyOf(item), reason));
                        }
                        else
                        {
                            changed++;
                        }
                    }
                }

                onExamined?.Invoke(page.Items?.Count ?? 0);
                start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
            }
            while (start is not null);
        })).ConfigureAwait(false);

        return new MigrationReport(Id, direction, DryRun: true, Resumed: false, segments, new MigrationCounts(examined, changed, 0, failures.Count, alreadyDone), failures, notices);
    }

    /// <summary>
    /// One page of users, whatever their version: the users already in the new shape are read too, so the report
    /// can say how many there are ("examined 168, 168 already at v2" rather than "examined 0"). A filter on the old
    /// version would read no less: a Scan reads, and is charged for, every item before its filter applies.
    /// </summary>
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

    /// <summary>True when the user is at the version this direction changes (v1 for up, v2 for down).</summary>
    private static bool IsInOldShape(MigrationDirection direction, Dictionary<string, AttributeValue> item) =>
        PhoneShapes.IsAt(item, direction == MigrationDirection.Up ? PhoneShapes.V1 : PhoneShapes.V2);

    private static ShapeResult Reshape(MigrationDirection direction, Dictionary<string, AttributeValue> item) =>
        direction == MigrationDirection.Up ? PhoneShapes.Upgrade(item) : PhoneShapes.Downgrade(item);

    private static ItemKey KeyOf(Dictionary<string, AttributeValue> item) => new(item[Attr.PK].S, item[Attr.SK].S);

    /// <summary>
    /// The conditional update that turns <paramref name="original"/> into <paramref name="shape"/>'s item. The
    /// condition pins exactly what the plan was made from, so an item that changed meanwhile is skipped, not clobbered.
    /// </summary>
    private UpdateItemRequest UpdateFor(MigrationDirection direction, Dictionary<string, AttributeValue> original, ShapeResult shape)
    {
        var names = new Dictionary<string, string> { ["#sv"] = Attr.SchemaVersion, ["#phone"] = Attr.Phone, ["#metadata"] = Attr.Metadata, ["#legacy"] = PhoneNumber.LegacyMetadataKey };
        var values = new Dictionary<string, AttributeValue>
        {
            [":from"] = Av.N(direction == MigrationDirection.Up ? PhoneShapes.V1 : PhoneShapes.V2),
            [":to"] = Av.N(direction == MigrationDirection.Up ? PhoneShapes.V2 : PhoneShapes.V1),
        };
        string update, condition;
        if (shape.Phone is null)
        {
            update = "SET #sv = :to";
            condition = direction == MigrationDirection.Up
                ? "#sv = :from AND attribute_not_exists(#metadata.#legacy) AND attribute_not_exists(#phone)"
                : "#sv = :from AND attribute_not_exists(#phone)";
        }
        else
        {
            values[":phone"] = Av.S(shape.Phone);
            if (direction == MigrationDirection.Up)
            {
                update = "SET #phone = :phone, #sv = :to REMOVE #metadata.#legacy";
                condition = "#sv = :from AND #metadata.#legacy = :phone AND attribute_not_exists(#phone)";
            }
            else if (original.ContainsKey(Attr.Metadata))
            {
                update = "SET #metadata.#legacy = :phone, #sv = :to REMOVE #phone";
                condition = "#sv = :from AND #phone = :phone AND attribute_exists(#metadata) AND attribute_not_exists(#metadata.#legacy)";
            }
            else
            {
                values[":metadata"] = shape.Item![Attr.Metadata];
                update = "SET #metadata = :metadata, #sv = :to REMOVE #phone";
                condition = "#sv = :from AND #phone = :phone AND attribute_not_exists(#metadata)";
            }
        }

        // Expression names the expressions do not use are a ValidationException.
        var used = update + " " + condition;
        return new UpdateItemRequest
        {
            TableName = _tableName,
            Key = KeyOf(original).ToAttributes(),
            UpdateExpression = update,
            ConditionExpression = condition,
            ExpressionAttributeNames = names.Where(n => used.Contains(n.Key, StringComparison.Ordinal)).ToDictionary(),
            ExpressionAttributeValues = values.Where(v => used.Contains(v.Key, StringComparison.Ordinal)).ToDictionary(),
        };
    }

    /// <summary>The state of one real run: the checkpoint, guarded by a lock because segments run in parallel.</summary>
    private sealed class Run(UserPhoneMigration migration, MigrationDirection direction, MigrationRunOptions options, MigrationCheckpoint checkpoint, Action<long>? onExamined)
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
            await Parallel.ForEachAsync(
                todo,
                new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
                async (item, ct) =>
                {
                    var shape = Reshape(direction, item);
                    if (shape.Failure is { } reason)
                    {
                        await migration._store.RecordFailureAsync(direction, KeyOf(item), reason, ct).ConfigureAwait(false);
                        Interlocked.Increment(ref failed);
                        return;
                    }

                    await _pacer.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        // Not cancellable once sent: a write whose outcome is unknown would be counted neither done
                        // nor undone. Cancellation (Ctrl+C) stops before the next item instead; the SDK's timeout
                        // still bounds this call.
                        await migration._client.UpdateItemAsync(migration.UpdateFor(direction, item, shape), CancellationToken.None).ConfigureAwait(false);
                        Interlocked.Increment(ref changed);
                    }
                    catch (ConditionalCheckFailedException)
                    {
                        // Changed since the scan read it (an API write, or another run): the newer data wins.
                        Interlocked.Increment(ref skipped);
                    }
                }).ConfigureAwait(false);
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
