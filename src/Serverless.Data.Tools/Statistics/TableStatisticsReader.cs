using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Table;

namespace Serverless.Data.Tools.Statistics;

/// <summary>
/// Reads <see cref="TableStatistics"/>: DescribeTable and DescribeTimeToLive for the set-up, and a paged Scan for
/// the per-entity counts and sizes. The Scan reads the whole table, so this is an admin command's tool, never
/// something a request path may call (the API's health endpoint uses DescribeTable only).
/// </summary>
public sealed class TableStatisticsReader(IAmazonDynamoDB client)
{
    public const string NoEntityType = "(none)";

    /// <param name="onScanned">Told how many items each scan page held (progress).</param>
    public async Task<TableStatistics> ReadAsync(string tableName, Action<int>? onScanned, CancellationToken cancellationToken)
    {
        var table = (await client.DescribeTableAsync(new DescribeTableRequest { TableName = tableName }, cancellationToken).ConfigureAwait(false)).Table;
        return await ReadAsync(table, onScanned, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The same for a table already described: DescribeTable is not asked again.</summary>
    public async Task<TableStatistics> ReadAsync(TableDescription table, Action<int>? onScanned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        var tableName = table.TableName;
        var ttl = (await client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = tableName }, cancellationToken).ConfigureAwait(false)).TimeToLiveDescription;

        var byType = new SortedDictionary<string, (long Items, long Bytes)>(StringComparer.Ordinal);
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await client.ScanAsync(new ScanRequest { TableName = tableName, ExclusiveStartKey = start }, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                var type = item.TryGetValue(Attr.EntityType, out var value) && value.S is { } s ? s : NoEntityType;
                var (items, bytes) = byType.GetValueOrDefault(type);
                byType[type] = (items + 1, bytes + ItemSize.Of(item));
            }

            onScanned?.Invoke(page.Items?.Count ?? 0);
            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        return new TableStatistics
        {
            TableName = tableName,
            Entities = [.. byType.Select(e => new EntityStatistics(e.Key, e.Value.Items, e.Value.Bytes))],
            TableStatus = table.TableStatus?.Value ?? "UNKNOWN",
            DescribedItemCount = table.ItemCount ?? 0,
            DescribedSizeBytes = table.TableSizeBytes ?? 0,
            Indexes =
            [
                .. (table.GlobalSecondaryIndexes ?? [])
                    .OrderBy(i => i.IndexName, StringComparer.Ordinal)
                    .Select(i => new IndexStatistics(i.IndexName, i.IndexStatus?.Value ?? "UNKNOWN", i.ItemCount ?? 0, i.IndexSizeBytes ?? 0)),
            ],
            StreamEnabled = table.StreamSpecification?.StreamEnabled ?? false,
            StreamViewType = table.StreamSpecification?.StreamViewType?.Value,
            LatestStreamArn = table.LatestStreamArn,
            TtlStatus = ttl?.TimeToLiveStatus?.Value ?? "DISABLED",
            TtlAttribute = ttl?.AttributeName,
        };
    }
}
