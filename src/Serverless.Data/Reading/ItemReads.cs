using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;

namespace Serverless.Data.Reading;

/// <summary>GetItem and BatchGetItem that never return expired items.</summary>
public sealed class ItemReads(IAmazonDynamoDB client, TimeProvider timeProvider)
{
    private const int MaxBatchKeys = 100;
    private const int MaxUnprocessedRounds = 8;

    /// <param name="consistent">Strongly consistent: needed before a conditional write that builds on what was read.</param>
    public async Task<Dictionary<string, AttributeValue>?> GetAsync(string tableName, ItemKey key, bool consistent, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest { TableName = tableName, Key = key.ToAttributes(), ConsistentRead = consistent },
            cancellationToken).ConfigureAwait(false);
        return ExpiryFilter.Live(response.Item, timeProvider.GetUtcNow());
    }

    /// <summary>
    /// Live items for the keys, by key (missing and expired keys are absent). Keys are read in chunks of 100
    /// and unprocessed keys (throttling) are retried with backoff.
    /// </summary>
    public async Task<Dictionary<ItemKey, Dictionary<string, AttributeValue>>> BatchGetAsync(
        string tableName,
        IEnumerable<ItemKey> keys,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new Dictionary<ItemKey, Dictionary<string, AttributeValue>>();
        foreach (var chunk in keys.Distinct().Chunk(MaxBatchKeys))
        {
            var pending = new Dictionary<string, KeysAndAttributes>
            {
                [tableName] = new KeysAndAttributes { Keys = [.. chunk.Select(k => k.ToAttributes())] },
            };

            for (var round = 0; pending.Count > 0; round++)
            {
                if (round >= MaxUnprocessedRounds)
                {
                    throw new InvalidOperationException("BatchGetItem kept returning unprocessed keys; the table is throttling.");
                }

                if (round > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(25 * (1 << round)), timeProvider, cancellationToken).ConfigureAwait(false);
                }

                var response = await client.BatchGetItemAsync(new BatchGetItemRequest { RequestItems = pending }, cancellationToken).ConfigureAwait(false);
                var now = timeProvider.GetUtcNow();
                if (response.Responses is not null && response.Responses.TryGetValue(tableName, out var items))
                {
                    foreach (var item in items)
                    {
                        if (ExpiryFilter.Live(item, now) is { } live)
                        {
                            found[new ItemKey(live[Attr.PK].S, live[Attr.SK].S)] = live;
                        }
                    }
                }

                pending = response.UnprocessedKeys is { Count: > 0 } unprocessed ? unprocessed : [];
            }
        }

        return found;
    }
}
