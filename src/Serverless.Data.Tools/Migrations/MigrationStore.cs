using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Table;

namespace Serverless.Data.Tools.Migrations;

/// <summary>
/// A migration's own items, in its own partition of the table (MIGRATION#id): the run checkpoint
/// (SK RUN) and one item per item it could not migrate (SK FAILED#direction#key), so a resumed run still reports
/// the failures of the part done before it was killed.
/// </summary>
public sealed class MigrationStore(IAmazonDynamoDB client, string tableName, string migrationId)
{
    public const string RunEntityType = "MigrationRun";
    public const string FailureEntityType = "MigrationFailure";
    private const string RunSort = "RUN";
    private const string FailurePrefix = "FAILED#";

    public string Partition { get; } = "MIGRATION#" + migrationId;

    public async Task<MigrationCheckpoint?> LoadAsync(CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest { TableName = tableName, Key = new ItemKey(Partition, RunSort).ToAttributes(), ConsistentRead = true },
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
            [Attr.SK] = Av.S(FailureSort(direction, key)),
            [Attr.EntityType] = Av.S(FailureEntityType),
            [Attr.SchemaVersion] = Av.N(SchemaVersions.Initial),
            ["itemPK"] = Av.S(key.PK),
            ["itemSK"] = Av.S(key.SK),
            ["reason"] = Av.S(reason),
        };
        return client.PutItemAsync(new PutItemRequest { TableName = tableName, Item = item }, cancellationToken);
    }

    public async Task<IReadOnlyList<MigrationFailure>> FailuresAsync(MigrationDirection? direction, CancellationToken cancellationToken)
    {
        var failures = new List<MigrationFailure>();
        await foreach (var item in FailureItemsAsync(direction, cancellationToken).ConfigureAwait(false))
        {
            var reader = new ItemReader(item);
            failures.Add(new MigrationFailure(new ItemKey(reader.String("itemPK"), reader.String("itemSK")), reader.String("reason")));
        }

        return failures;
    }

    /// <summary>Forgets the failures of earlier runs: a fresh run reports what is wrong now.</summary>
    public async Task ClearFailuresAsync(CancellationToken cancellationToken)
    {
        var keys = new List<WriteRequest>();
        await foreach (var item in FailureItemsAsync(null, cancellationToken).ConfigureAwait(false))
        {
            keys.Add(new WriteRequest { DeleteRequest = new DeleteRequest { Key = new ItemKey(item[Attr.PK].S, item[Attr.SK].S).ToAttributes() } });
        }

        foreach (var chunk in keys.Chunk(25))
        {
            var pending = new Dictionary<string, List<WriteRequest>> { [tableName] = [.. chunk] };
            for (var attempt = 1; pending.Count > 0; attempt++)
            {
                if (attempt > 10)
                {
                    throw new MigrationException("Could not clear the previous run's failure records: the table keeps throttling.");
                }

                var response = await client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, cancellationToken).ConfigureAwait(false);
                pending = response.UnprocessedItems is { Count: > 0 } left ? left : [];
                if (pending.Count > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken).ConfigureAwait(false);
                }
            }
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
                        [":prefix"] = Av.S(direction is { } d ? FailurePrefix + d.ToName() + "#" : FailurePrefix),
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

    private static string FailureSort(MigrationDirection direction, ItemKey key) => FailurePrefix + direction.ToName() + "#" + key.PK + "#" + key.SK;

    private Dictionary<string, AttributeValue> ToItem(MigrationCheckpoint checkpoint)
    {
        var segments = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        for (var i = 0; i < checkpoint.Segments.Count; i++)
        {
            var position = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { ["done"] = Av.Bool(checkpoint.Segments[i].Done) };
            if (checkpoint.Segments[i].LastKey is { } lastKey)
            {
                position["lastKey"] = Av.Map(lastKey);
            }

            segments[i.ToString(CultureInfo.InvariantCulture)] = Av.Map(position);
        }

        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [Attr.PK] = Av.S(Partition),
            [Attr.SK] = Av.S(RunSort),
            [Attr.EntityType] = Av.S(RunEntityType),
            [Attr.SchemaVersion] = Av.N(SchemaVersions.Initial),
            ["direction"] = Av.S(checkpoint.Direction.ToName()),
            ["state"] = Av.S(checkpoint.State),
            ["segments"] = Av.Map(segments),
            ["examined"] = Av.N(checkpoint.Counts.Examined),
            ["changed"] = Av.N(checkpoint.Counts.Changed),
            ["skipped"] = Av.N(checkpoint.Counts.Skipped),
            ["failed"] = Av.N(checkpoint.Counts.Failed),
            ["alreadyDone"] = Av.N(checkpoint.Counts.AlreadyDone),
            ["ratePerSecond"] = new AttributeValue { N = checkpoint.RatePerSecond.ToString("R", CultureInfo.InvariantCulture) },
            ["startedAt"] = Av.Time(checkpoint.StartedAt),
            [Attr.UpdatedAt] = Av.Time(checkpoint.UpdatedAt),
        };
        item.AddIfNotNull("completedAt", checkpoint.CompletedAt);
        return item;
    }

    private static MigrationCheckpoint FromItem(Dictionary<string, AttributeValue> item)
    {
        var reader = new ItemReader(item);
        var segments = reader.Map("segments");
        return new MigrationCheckpoint
        {
            Direction = MigrationDirections.Parse(reader.String("direction")),
            State = reader.String("state"),
            Segments =
            [
                .. Enumerable.Range(0, segments.Count).Select(i =>
                {
                    var position = new ItemReader(segments[i.ToString(CultureInfo.InvariantCulture)].M);
                    return new SegmentPosition(position.Bool("done"), position.OptionalMap("lastKey"));
                }),
            ],
            // A checkpoint saved before alreadyDone was counted has none.
            Counts = new MigrationCounts(reader.Long("examined"), reader.Long("changed"), reader.Long("skipped"), reader.Long("failed"), reader.OptionalLong("alreadyDone") ?? 0),
            RatePerSecond = reader.Decimal("ratePerSecond") is var rate ? (double)rate : 0,
            StartedAt = reader.Time("startedAt"),
            UpdatedAt = reader.Time(Attr.UpdatedAt),
            CompletedAt = reader.OptionalTime("completedAt"),
        };
    }
}

/// <summary>An item a migration could not change, and why (never the offending value: it may be personal data).</summary>
public sealed record MigrationFailure(ItemKey Key, string Reason);
