using System.Threading.Channels;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;

namespace Serverless.Data.Writing;

/// <summary>
/// Writes a stream of items with BatchWriteItem: batches of 25, a bounded number in flight, and UnprocessedItems
/// (what DynamoDB returns when it throttles part of a batch) retried with exponential backoff and jitter.
/// Unconditional puts: meant for loading data (seeding), where writing the same item twice gives the same table.
/// </summary>
public sealed class BatchItemWriter(IAmazonDynamoDB client, BatchWriteOptions options, TimeProvider timeProvider)
{
    /// <summary>Writes every item; <paramref name="onWritten"/> is told how many items each successful round stored.</summary>
    /// <returns>The number of items written.</returns>
    public async Task<long> WriteAsync(
        string tableName,
        IEnumerable<Dictionary<string, AttributeValue>> items,
        Action<int>? onWritten,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentNullException.ThrowIfNull(items);
        options.Validate();

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Bounded: generation (fast) waits for the writers (slow) instead of holding millions of items in memory.
        var batches = Channel.CreateBounded<List<WriteRequest>>(new BoundedChannelOptions(options.Parallelism * 2)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        long written = 0;
        var writers = Enumerable.Range(0, options.Parallelism).Select(_ => Task.Run(
            async () =>
            {
                await foreach (var batch in batches.Reader.ReadAllAsync(failed.Token).ConfigureAwait(false))
                {
                    await WriteBatchAsync(tableName, batch, n =>
                    {
                        Interlocked.Add(ref written, n);
                        onWritten?.Invoke(n);
                    }, failed.Token).ConfigureAwait(false);
                }
            },
            failed.Token)).ToList();

        var producer = Task.Run(
            async () =>
            {
                try
                {
                    foreach (var chunk in items.Chunk(BatchWriteOptions.MaxBatchSize))
                    {
                        var batch = chunk.Select(item =>
                        {
                            // A BatchWriteItem with one oversized item fails as a whole; name the item instead.
                            ItemSize.EnsureWithinLimit(item);
                            return new WriteRequest { PutRequest = new PutRequest { Item = item } };
                        }).ToList();
                        await batches.Writer.WriteAsync(batch, failed.Token).ConfigureAwait(false);
                    }

                    batches.Writer.Complete();
                }
                catch (Exception e)
                {
                    batches.Writer.Complete(e);
                    throw;
                }
            },
            failed.Token);

        var all = writers.Append(producer).ToList();
        while (all.Count > 0)
        {
            var done = await Task.WhenAny(all).ConfigureAwait(false);
            all.Remove(done);
            if (done.IsFaulted || done.IsCanceled)
            {
                // One failure stops the rest at once instead of letting them run on to no purpose.
                await failed.CancelAsync().ConfigureAwait(false);
                try
                {
                    await Task.WhenAll(all).ConfigureAwait(false);
                }
                catch (Exception) when (done.IsFaulted)
                {
                    // The first failure is the one worth reporting; the others are its echoes (cancellation).
                }

                await done.ConfigureAwait(false);
            }
        }

        return written;
    }

    private async Task WriteBatchAsync(string tableName, List<WriteRequest> batch, Action<int> onWritten, CancellationToken cancellationToken)
    {
        var pending = batch;
        for (var attempt = 1; ; attempt++)
        {
            var response = await client.BatchWriteItemAsync(
                new BatchWriteItemRequest { RequestItems = new Dictionary<string, List<WriteRequest>> { [tableName] = pending } },
                cancellationToken).ConfigureAwait(false);

            var unprocessed = response.UnprocessedItems is { } left && left.TryGetValue(tableName, out var rest) ? rest : [];
            onWritten(pending.Count - unprocessed.Count);
            if (unprocessed.Count == 0)
            {
                return;
            }

            if (attempt >= options.MaxAttempts)
            {
                throw new BatchWriteException(
                    $"{unprocessed.Count} items were still unprocessed after {options.MaxAttempts} attempts; the table is throttling. Retry later or lower the parallelism.");
            }

            pending = unprocessed;
            await Task.Delay(Backoff.Delay(attempt, options.BaseBackoff, options.MaxBackoff, Random.Shared), timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>DynamoDB kept returning unprocessed items beyond the retry budget.</summary>
public sealed class BatchWriteException(string message) : Exception(message);
