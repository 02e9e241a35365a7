namespace Serverless.Data.Reading;

/// <summary>
/// Scatter-gather over write-sharded partitions: reads the first <c>need</c> qualifying items of each
/// partition (in parallel), merges them newest first, and keeps the first <c>need</c>, which are exactly the
/// first <c>need</c> of the union (an unread item of a partition ranks after that partition's <c>need</c> read ones).
/// </summary>
public sealed class MergedQuery(IAmazonDynamoDB client)
{
    /// <param name="partitionQueries">One Query per partition, each already ordered newest first and filtered for expiry.</param>
    /// <param name="qualifies">Items to keep (e.g. strictly after a cursor position when the key condition is inclusive).</param>
    /// <param name="newestFirst">The total order to merge by.</param>
    public async Task<List<Dictionary<string, AttributeValue>>> FetchAsync(
        IReadOnlyList<QueryRequest> partitionQueries,
        Func<Dictionary<string, AttributeValue>, bool> qualifies,
        Comparison<Dictionary<string, AttributeValue>> newestFirst,
        int need,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitionQueries);
        var perPartition = await Task.WhenAll(partitionQueries.Select(q => FetchPartitionAsync(q, qualifies, need, cancellationToken))).ConfigureAwait(false);
        var merged = perPartition.SelectMany(items => items).ToList();
        merged.Sort(newestFirst);
        return merged.Count > need ? merged.GetRange(0, need) : merged;
    }

    private async Task<List<Dictionary<string, AttributeValue>>> FetchPartitionAsync(
        QueryRequest request,
        Func<Dictionary<string, AttributeValue>, bool> qualifies,
        int need,
        CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        while (items.Count < need)
        {
            request.Limit = need - items.Count;
            var response = await client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            items.AddRange((response.Items ?? []).Where(qualifies));
            if (response.LastEvaluatedKey is not { Count: > 0 } lastKey)
            {
                break;
            }

            request.ExclusiveStartKey = lastKey;
        }

        return items;
    }
}
