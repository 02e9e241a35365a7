using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;

namespace Serverless.Data.Writing;

/// <summary>
/// Deletes many items by key with BatchWriteItem, 25 keys a request (DynamoDB's limit). Items the service leaves
/// unprocessed (throttling, partition limits) are sent again with exponential backoff and full jitter, so
/// several purges backing off at once do not retry in lockstep. Deleting an absent key is a no-op, so a
/// repeated run is harmless.
/// </summary>
public sealed class BatchDeleter(IAmazonDynamoDB client, TimeProvider timeProvider)
{
    public const int MaxKeysPerRequest = 25;

    /// <summary>Rounds per request before giving up; the caller (a stream function) then fails the record and is retried.</summary>
    public const int MaxAttempts = 8;

    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Deletes every key (duplicates sent once); returns how many distinct keys were deleted.</summary>
    /// <exception cref="InvalidOperationException">Some items stayed unprocessed after <see cref="MaxAttempts"/> rounds.</exception>
    public async Task<int> DeleteAsync(string tableName, IEnumerable<ItemKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var count = 0;
        // Distinct: one BatchWriteItem must not name a key twice (the service rejects the whole request).
        foreach (var chunk in keys.Distinct().Chunk(MaxKeysPerRequest))
        {
            await DeleteChunkAsync(tableName, chunk, cancellationToken).ConfigureAwait(false);
            count += chunk.Length;
        }

        return count;
    }

    private async Task DeleteChunkAsync(string tableName, ItemKey[] chunk, CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, List<WriteRequest>>
        {
            [tableName] = [.. chunk.Select(k => new WriteRequest { DeleteRequest = new DeleteRequest { Key = k.ToAttributes() } })],
        };

        for (var attempt = 1; ; attempt++)
        {
            // Unconditional by necessity: BatchWriteItem takes no conditions. Safe here because every key was just
            // read from a partition or index that belongs to the purged user alone.
            var response = await client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, cancellationToken).ConfigureAwait(false);
            if (response.UnprocessedItems is not { Count: > 0 } unprocessed || unprocessed.Values.All(v => v.Count == 0))
            {
                return;
            }

            if (attempt >= MaxAttempts)
            {
                throw new InvalidOperationException(
                    $"BatchWriteItem left {unprocessed.Values.Sum(v => v.Count)} deletes unprocessed after {MaxAttempts} attempts; the table is throttling.");
            }

            pending = unprocessed;
            await Task.Delay(BackoffFor(attempt), timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Full jitter: a random delay up to base * 2^attempt, capped.</summary>
    private static TimeSpan BackoffFor(int attempt)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }
}
