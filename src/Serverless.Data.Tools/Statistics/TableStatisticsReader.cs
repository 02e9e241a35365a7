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
/// <param name="itemsPerSegment">About how many items one segment of the scan covers (<see cref="ItemsPerSegment"/>).</param>
public sealed class TableStatisticsReader(IAmazonDynamoDB client, long itemsPerSegment = TableStatisticsReader.ItemsPerSegment)
{
    public const string NoEntityType = "(none)";

    /// <summary>
    /// The scan is split into segments (a parallel scan's, read one after another) of about this many items, by the
    /// table's described item count. DynamoDB Local finds a page's start by stepping from the start of the range it
    /// scans: unsplit, each page of the large scenario's 14.65 million items cost more than the last (2,800 items/s at
    /// first, 570 after 700,000); a segment is its own range (a range of key hashes), so a page costs at most a segment.
    /// </summary>
    public const long ItemsPerSegment = 50_000;

    /// <summary>Segments for a table of <paramref name="itemCount"/> items: 1 up to <paramref name="itemsPerSegment"/>, at most DynamoDB's 1,000,000.</summary>
    internal static int SegmentsFor(long itemCount, long itemsPerSegment) =>
        (int)Math.Clamp((itemCount + itemsPerSegment - 1) / Math.Max(1, itemsPerSegment), 1, 1_000_000);

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
        var segments = SegmentsFor(table.ItemCount ?? 0, itemsPerSegment);
        for (var segment = 0; segment < segments; segment++)
        {
            Dictionary<string, AttributeValue>? start = null;
            do
            {
                var request = new ScanRequest { TableName = tableName, ExclusiveStartKey = start, Limit = ScanPages.Limit };
                if (segments > 1)
                {
                    request.Segment = segment;
                    request.TotalSegments = segments;
                }

                var page = await client.ScanAsync(request, cancellationToken).ConfigureAwait(false);
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
        }

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
