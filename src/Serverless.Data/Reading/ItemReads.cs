
namespace Serverless.Data.Reading;

/// <summary>GetItem and BatchGetItem that never return expired items.</summary>
public sealed class ItemReads
{
    private const int MaxBatchKeys = 100;

    // Unprocessed keys (throttling): sent again a few times, then the read fails rather than answering with a part.
    private static readonly RetryOptions UnprocessedRetry = new() { MaxAttempts = 8, BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromSeconds(2) };

    private readonly IAmazonDynamoDB _client;
    private readonly TimeProvider _timeProvider;
    private readonly UndoneRetryPolicy _untilProcessed;

    public ItemReads(IAmazonDynamoDB client, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _client = client;
        _timeProvider = timeProvider;
        _untilProcessed = Retries.WhileLeftUndone(UnprocessedRetry, timeProvider);
    }

    /// <param name="consistent">Strongly consistent: needed before a conditional write that builds on what was read.</param>
    public async Task<Dictionary<string, AttributeValue>?> GetAsync(string tableName, ItemKey key, bool consistent, CancellationToken cancellationToken)
    {
        var response = await _client.GetItemAsync(
            new GetItemRequest { TableName = tableName, Key = key.ToAttributes(), ConsistentRead = consistent },
            cancellationToken).ConfigureAwait(false);
        return ExpiryFilter.Live(response.Item, _timeProvider.GetUtcNow());
    }

    /// <summary>
    /// Live items for the keys, by key (missing and expired keys are absent). Keys are read in chunks of 100
    /// and unprocessed keys (throttling) are retried with backoff.
    /// </summary>
    /// <exception cref="InvalidOperationException">Keys stayed unprocessed through every attempt.</exception>
    public async Task<Dictionary<ItemKey, Dictionary<string, AttributeValue>>> BatchGetAsync(
        string tableName,
        IEnumerable<ItemKey> keys,
        CancellationToken cancellationToken,
        bool consistent = false)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new Dictionary<ItemKey, Dictionary<string, AttributeValue>>();
        foreach (var chunk in keys.Distinct().Chunk(MaxBatchKeys))
        {
            var pending = new Dictionary<string, KeysAndAttributes>
            {
                [tableName] = new KeysAndAttributes { Keys = [.. chunk.Select(k => k.ToAttributes())], ConsistentRead = consistent },
            };

            var unprocessed = await _untilProcessed.ExecuteAsync(
                async token =>
                {
                    var response = await _client.BatchGetItemAsync(new BatchGetItemRequest { RequestItems = pending }, token).ConfigureAwait(false);
                    var now = _timeProvider.GetUtcNow();
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

                    pending = response.UnprocessedKeys is { Count: > 0 } rest ? rest : [];
                    return pending.Values.Sum(k => k.Keys.Count);
                },
                cancellationToken).ConfigureAwait(false);
            if (unprocessed > 0)
            {
                throw new InvalidOperationException("BatchGetItem kept returning unprocessed keys; the table is throttling.");
            }
        }

        return found;
    }
}
