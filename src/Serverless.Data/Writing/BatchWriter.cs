using System.Threading.Channels;

namespace Serverless.Data.Writing;

/// <summary>
/// The one way items are put or deleted in bulk (seeding, the purge cascade, the audit trail, migration bookkeeping):
/// BatchWriteItem calls of up to 25 requests, a bounded number in flight; what DynamoDB leaves unprocessed (it
/// throttled part of a call) is sent again under the one backoff policy (<see cref="Retries"/>); a call that fails
/// whole (one item it will not take refuses the lot) is tried request by request, so only the bad request fails.
/// <para>
/// BatchWriteItem takes no conditions, so this is for writes whose repetition is harmless: loading data, deleting keys
/// just read from a partition that belongs to the caller alone, entries that are a pure function of their source.
/// </para>
/// </summary>
public sealed class BatchWriter
{
    private readonly IAmazonDynamoDB _client;
    private readonly BatchWriteOptions _options;
    private readonly UndoneRetryPolicy _untilProcessed;

    public BatchWriter(IAmazonDynamoDB client, BatchWriteOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _client = client;
        _options = options;
        _untilProcessed = Retries.WhileLeftUndone(options.Retry, timeProvider);
    }

    /// <summary>Puts every item; <paramref name="onWritten"/> is told how many items each call stored.</summary>
    /// <returns>The number of items written.</returns>
    /// <exception cref="BatchWriteException">DynamoDB kept items unprocessed through every attempt.</exception>
    /// <exception cref="ValidationException">An item is over DynamoDB's 400 KB limit (the others of its call are stored).</exception>
    public Task<long> PutAllAsync(string tableName, IEnumerable<Dictionary<string, AttributeValue>> items, Action<int>? onWritten, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return WriteAllAsync(tableName, items.Select(item => new WriteRequest { PutRequest = new PutRequest { Item = item } }), onWritten, cancellationToken);
    }

    /// <summary>Deletes every key (each once, however often it is given; deleting an absent key is a no-op).</summary>
    /// <returns>The number of distinct keys deleted.</returns>
    public async Task<int> DeleteAllAsync(string tableName, IEnumerable<ItemKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        // Distinct: one call must not name a key twice (the service refuses such a call whole).
        var requests = keys.Distinct().Select(k => new WriteRequest { DeleteRequest = new DeleteRequest { Key = k.ToAttributes() } });
        return (int)await WriteAllAsync(tableName, requests, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a stream of requests, <see cref="BatchWriteOptions.Parallelism"/> calls at once; the first request that
    /// fails stops the rest and is thrown. The stream is read as the calls go, so a long one is never held in memory.
    /// </summary>
    public async Task<long> WriteAllAsync(string tableName, IEnumerable<WriteRequest> requests, Action<int>? onWritten, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentNullException.ThrowIfNull(requests);

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Bounded: the producer (fast) waits for the calls (slow) instead of reading millions of items ahead.
        var batches = Channel.CreateBounded<WriteRequest[]>(new BoundedChannelOptions(_options.Parallelism * 2)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        long written = 0;
        var writers = Enumerable.Range(0, _options.Parallelism).Select(_ => Task.Run(
            async () =>
            {
                await foreach (var batch in batches.Reader.ReadAllAsync(failed.Token).ConfigureAwait(false))
                {
                    var outcomes = await WriteBatchAsync(tableName, batch, n =>
                    {
                        Interlocked.Add(ref written, n);
                        onWritten?.Invoke(n);
                    }, failed.Token).ConfigureAwait(false);
                    if (outcomes.FirstOrDefault(o => o is not null) is { } failure)
                    {
                        throw failure;
                    }
                }
            },
            failed.Token)).ToList();

        var producer = Task.Run(
            async () =>
            {
                try
                {
                    foreach (var chunk in requests.Chunk(BatchWriteOptions.MaxBatchSize))
                    {
                        await batches.Writer.WriteAsync(chunk, failed.Token).ConfigureAwait(false);
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

    /// <summary>
    /// Writes up to 25 requests with distinct keys and says how each went: null where it is stored, the reason where it
    /// is not (over 400 KB, refused by DynamoDB, still unprocessed after every attempt). Throws only when cancelled.
    /// </summary>
    /// <param name="onWritten">Told how many requests each call stored.</param>
    /// <exception cref="ArgumentException">More than 25 requests, or one key twice.</exception>
    public async Task<IReadOnlyList<Exception?>> WriteBatchAsync(
        string tableName,
        IReadOnlyList<WriteRequest> requests,
        Action<int>? onWritten,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count > BatchWriteOptions.MaxBatchSize)
        {
            throw new ArgumentException($"A batch holds at most {BatchWriteOptions.MaxBatchSize} requests; got {requests.Count}.", nameof(requests));
        }

        var outcomes = new Exception?[requests.Count];
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i].PutRequest is { } put && TooLarge(put.Item) is { } tooLarge)
            {
                // One oversized item would fail the whole call it rides in; it fails here, alone, instead.
                outcomes[i] = tooLarge;
                continue;
            }

            if (!positions.TryGetValue(KeyOf(requests[i]), out var first))
            {
                positions.Add(KeyOf(requests[i]), i);
            }
            else
            {
                // By position, not by key: keys hold the values items are looked up by (an email, say), and this reaches logs.
                throw new ArgumentException($"Requests {first} and {i} of the batch name the same key; DynamoDB refuses such a call whole.", nameof(requests));
            }
        }

        var left = positions.Values.Order().ToList();
        if (left.Count == 0)
        {
            return outcomes;
        }

        try
        {
            var unprocessed = await _untilProcessed.ExecuteAsync(
                async token =>
                {
                    var response = await _client.BatchWriteItemAsync(
                        new BatchWriteItemRequest
                        {
                            RequestItems = new Dictionary<string, List<WriteRequest>> { [tableName] = [.. left.Select(i => requests[i])] },
                        },
                        token).ConfigureAwait(false);
                    var notDone = response.UnprocessedItems is { } rest && rest.TryGetValue(tableName, out var writes)
                        ? writes.Select(KeyOf).ToHashSet(StringComparer.Ordinal)
                        : [];
                    onWritten?.Invoke(left.Count - notDone.Count);
                    left = [.. left.Where(i => notDone.Contains(KeyOf(requests[i])))];
                    return left.Count;
                },
                cancellationToken).ConfigureAwait(false);

            if (unprocessed > 0)
            {
                var error = new BatchWriteException(
                    $"{unprocessed} item(s) were still unprocessed after {_options.Retry.MaxAttempts} attempts; the table is throttling. Retry later or lower the parallelism.");
                left.ForEach(i => outcomes[i] = error);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException && left.Count == 1)
        {
            outcomes[left[0]] = error;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // A call fails whole for one bad request (or an error of the moment): each request alone finds out which.
            foreach (var i in left)
            {
                outcomes[i] = await SendAloneAsync(tableName, requests[i], cancellationToken).ConfigureAwait(false);
                if (outcomes[i] is null)
                {
                    onWritten?.Invoke(1);
                }
            }
        }

        return outcomes;
    }

    private async Task<Exception?> SendAloneAsync(string tableName, WriteRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (request.PutRequest is { } put)
            {
                await _client.PutItemAsync(new PutItemRequest { TableName = tableName, Item = put.Item }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _client.DeleteItemAsync(new DeleteItemRequest { TableName = tableName, Key = request.DeleteRequest.Key }, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return error;
        }
    }

    private static ValidationException? TooLarge(Dictionary<string, AttributeValue> item)
    {
        try
        {
            ItemSize.EnsureWithinLimit(item);
            return null;
        }
        catch (ValidationException e)
        {
            return e;
        }
    }

    private static string KeyOf(WriteRequest request)
    {
        var key = request.PutRequest?.Item ?? request.DeleteRequest.Key;
        return key[Attr.PK].S + "\u0001" + key[Attr.SK].S;
    }
}

/// <summary>DynamoDB kept returning unprocessed items beyond the retry budget.</summary>
public sealed class BatchWriteException(string message) : Exception(message);
