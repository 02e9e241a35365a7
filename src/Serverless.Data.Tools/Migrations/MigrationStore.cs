using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Table;
using Serverless.Data.Writing;

namespace Serverless.Data.Tools.Migrations;

/// <summary>
/// A migration's own items, in its own partition of the table (MIGRATION#id): the run checkpoint
/// (SK RUN) and one item per item it could not migrate (SK FAILED#direction#key), so a resumed run still reports
/// the failures of the part done before it was killed.
/// </summary>
public sealed class MigrationStore(IAmazonDynamoDB client, string tableName, string migrationId)
{
    private readonly BatchWriter _batches = new(client, new BatchWriteOptions { Parallelism = 1 }, TimeProvider.System);

    public string Partition { get; } = Keys.MigrationPartition(migrationId);

    public async Task<MigrationCheckpoint?> LoadAsync(CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest { TableName = tableName, Key = Keys.MigrationRun(migrationId).ToAttributes(), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? FromItem(item) : null;
    }

    public Task SaveAsync(MigrationCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return client.PutItemAsync(new PutItemRequest { TableName = tableName, Item = ToItem(checkpoint) }, cancellationToken);
    }

    /// <summary>Idempotent: the same item failing again overwrites its own record.</summary>
    public Task RecordFailureAsync(MigrationDirection direction, ItemKey key, string reason, CancellationToken cancellationToken)
    {
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [Attr.PK] = Av.S(Partition),
            [Attr.SK] = Av.S(Keys.MigrationFailure(migrationId, direction.ToName(), key).SK),
            [Attr.EntityType] = Av.S(EntityTypes.MigrationFailure),
            [Attr.SchemaVersion] = Av.N(SchemaVersions.Initial),
            [Attr.FailedItemPK] = Av.S(key.PK),
            [Attr.FailedItemSK] = Av.S(key.SK),
            [Attr.Reason] = Av.S(reason),
        };
        return client.PutItemAsync(new PutItemRequest { TableName = tableName, Item = item }, cancellationToken);
    }

    public async Task<IReadOnlyList<MigrationFailure>> FailuresAsync(MigrationDirection? direction, CancellationToken cancellationToken)
    {
        var failures = new List<MigrationFailure>();
        await foreach (var item in FailureItemsAsync(direction, cancellationToken).ConfigureAwait(false))
        {
            var reader = new ItemReader(item);
            failures.Add(new MigrationFailure(new ItemKey(reader.String(Attr.FailedItemPK), reader.String(Attr.FailedItemSK)), reader.String(Attr.Reason)));
        }

        return failures;
    }

    /// <summary>Forgets the failures of earlier runs: a fresh run reports what is wrong now.</summary>
    public async Task ClearFailuresAsync(CancellationToken cancellationToken)
    {
        var keys = new List<ItemKey>();
        await foreach (var item in FailureItemsAsync(null, cancellationToken).ConfigureAwait(false))
        {
            keys.Add(new ItemKey(item[Attr.PK].S, item[Attr.SK].S));
        }

        try
        {
            await _batches.DeleteAllAsync(tableName, keys, cancellationToken).ConfigureAwait(false);
        }
        catch (BatchWriteException e)
        {
            throw new MigrationException("Could not clear the previous run's failure records: " + e.Message);
        }
    }

    private async IAsyncEnumerable<Dictionary<string, AttributeValue>> FailureItemsAsync(
        MigrationDirection? direction,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await client.QueryAsync(
                new QueryRequest
                {
                    TableName = tableName,
                    KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :prefix)",
                    ExpressionAttributeNames = new() { ["#pk"] = Attr.PK, ["#sk"] = Attr.SK },
                    ExpressionAttributeValues = new()
                    {
                        [":pk"] = Av.S(Partition),
                        [":prefix"] = Av.S(Keys.MigrationFailurePrefix(direction?.ToName())),
                    },
                    ConsistentRead = true,
                    ExclusiveStartKey = start,
                },
                cancellationToken).ConfigureAwait(false);
            foreach (var item in response.Items ?? [])
            {
                yield return item;
            }

            start = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);
    }

    private Dictionary<string, AttributeValue> ToItem(MigrationCheckpoint checkpoint)
    {
        var segments = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        for (var i = 0; i < checkpoint.Segments.Count; i++)
        {
            var position = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [Attr.SegmentDone] = Av.Bool(checkpoint.Segments[i].Done) };
            if (checkpoint.Segments[i].LastKey is { } lastKey)
            {
                position[Attr.SegmentLastKey] = Av.Map(lastKey);
            }

            segments[i.ToString(CultureInfo.InvariantCulture)] = Av.Map(position);
        }

        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [Attr.PK] = Av.S(Partition),
            [Attr.SK] = Av.S(KeyPrefix.MigrationRunSort),
            [Attr.EntityType] = Av.S(EntityTypes.MigrationRun),
            [Attr.SchemaVersion] = Av.N(SchemaVersions.Initial),
            [Attr.Direction] = Av.S(checkpoint.Direction.ToName()),
            [Attr.State] = Av.S(checkpoint.State),
            [Attr.Segments] = Av.Map(segments),
            [Attr.Examined] = Av.N(checkpoint.Counts.Examined),
            [Attr.Changed] = Av.N(checkpoint.Counts.Changed),
            [Attr.Skipped] = Av.N(checkpoint.Counts.Skipped),
            [Attr.Failed] = Av.N(checkpoint.Counts.Failed),
            [Attr.AlreadyDone] = Av.N(checkpoint.Counts.AlreadyDone),
            [Attr.RatePerSecond] = new AttributeValue { N = checkpoint.RatePerSecond.ToString("R", CultureInfo.InvariantCulture) },
            [Attr.StartedAt] = Av.Time(checkpoint.StartedAt),
            [Attr.UpdatedAt] = Av.Time(checkpoint.UpdatedAt),
        };
        item.AddIfNotNull(Attr.CompletedAt, checkpoint.CompletedAt);
        return item;
    }

    private static MigrationCheckpoint FromItem(Dictionary<string, AttributeValue> item)
    {
        var reader = new ItemReader(item);
        var segments = reader.Map(Attr.Segments);
        return new MigrationCheckpoint
        {
            Direction = MigrationDirections.Parse(reader.String(Attr.Direction)),
            State = reader.String(Attr.State),
            Segments =
            [
                .. Enumerable.Range(0, segments.Count).Select(i =>
                {
                    var position = new ItemReader(segments[i.ToString(CultureInfo.InvariantCulture)].M);
                    return new SegmentPosition(position.Bool(Attr.SegmentDone), position.OptionalMap(Attr.SegmentLastKey));
                }),
            ],
            // A checkpoint saved before alreadyDone was counted has none.
            Counts = new MigrationCounts(reader.Long(Attr.Examined), reader.Long(Attr.Changed), reader.Long(Attr.Skipped), reader.Long(Attr.Failed), reader.OptionalLong(Attr.AlreadyDone) ?? 0),
            RatePerSecond = reader.Decimal(Attr.RatePerSecond) is var rate ? (double)rate : 0,
            StartedAt = reader.Time(Attr.StartedAt),
            UpdatedAt = reader.Time(Attr.UpdatedAt),
            CompletedAt = reader.OptionalTime(Attr.CompletedAt),
        };
    }
}

/// <summary>An item a migration could not change, and why (never the offending value: it may be personal data).</summary>
public sealed record MigrationFailure(ItemKey Key, string Reason);
