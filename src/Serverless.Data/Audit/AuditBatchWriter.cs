using Serverless.Domain.Audit;

namespace Serverless.Data.Audit;

/// <summary>
/// Writes audit entries as a stream batch produces them: many at once, from concurrent record handlers. Entries that
/// are waiting at the same moment leave together in one BatchWriteItem (up to 25 a call, a few calls in flight), as a
/// group commit does: there is no timer, so an entry never waits for others to arrive, only for a free call. Each
/// caller gets the outcome of its own entry, so one record's failure is that record's alone.
/// <para>
/// The puts are unconditional. An entry's key and values are a function of its stream record (the record's time,
/// sequence number and eventID make the key), so a redelivered record rewrites the same item with the same values:
/// still one entry, unchanged, and DynamoDB writes no stream record for a put that changes nothing. This relies on the
/// audit function being the only writer of audit keys; <see cref="AuditRepository.WriteAsync"/> keeps the
/// first-write-wins check for a caller that cannot promise that.
/// </para>
/// </summary>
public sealed class AuditBatchWriter
{
    /// <summary>The audit function's batches: 4 calls in flight, and a throttled entry retried a few times before its record fails.</summary>
    public static BatchWriteOptions DefaultOptions { get; } = new()
    {
        Parallelism = 4,
        Retry = new RetryOptions { MaxAttempts = 6, BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromSeconds(2) },
    };

    private readonly TableOptions _table;
    private readonly BatchWriteOptions _options;
    private readonly BatchWriter _writer;
    private readonly Lock _gate = new();
    private readonly Queue<Pending> _queue = new();
    private readonly Dictionary<string, Pending> _queued = new(StringComparer.Ordinal);
    private int _callsInFlight;

    public AuditBatchWriter(IAmazonDynamoDB client, TableOptions table, TimeProvider timeProvider, BatchWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(timeProvider);
        table.Validate();
        _table = table;
        _options = options ?? DefaultOptions;
        _writer = new BatchWriter(client, _options, timeProvider);
    }

    /// <summary>Completes when the entry is stored (by this call or by an identical one sent at the same time).</summary>
    /// <exception cref="Serverless.Domain.ValidationException">The entry breaks a rule or is over 400 KB stored; nothing was sent.</exception>
    /// <exception cref="BatchWriteException">DynamoDB kept the entry unprocessed through every attempt (throttling).</exception>
    public Task WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        AuditEntryRules.EnsureValid(entry);
        var item = AuditEntryMapper.ToItem(entry, entry.ChangedAt + _table.AuditRetention);
        // One oversized item would fail the whole call it rides in; it fails here, alone, instead.
        ItemSize.EnsureWithinLimit(item);
        var key = item[Attr.PK].S + "\u0001" + item[Attr.SK].S;

        Task stored;
        var startCall = false;
        lock (_gate)
        {
            if (_queued.TryGetValue(key, out var waiting))
            {
                // The same record twice at once (a batch can repeat one): one write serves both, and a call must
                // never carry one key twice (DynamoDB refuses such a call whole).
                stored = waiting.Stored.Task;
            }
            else
            {
                var pending = new Pending(key, item);
                _queue.Enqueue(pending);
                _queued[key] = pending;
                stored = pending.Stored.Task;
            }

            if (_callsInFlight < _options.Parallelism)
            {
                _callsInFlight++;
                startCall = true;
            }
        }

        if (startCall)
        {
            _ = Task.Run(SendWhileQueuedAsync, CancellationToken.None);
        }

        return stored.WaitAsync(cancellationToken);
    }

    /// <summary>One call slot: sends what is queued, 25 at a time, until nothing is.</summary>
    private async Task SendWhileQueuedAsync()
    {
        while (true)
        {
            var batch = new List<Pending>(BatchWriteOptions.MaxBatchSize);
            lock (_gate)
            {
                while (batch.Count < BatchWriteOptions.MaxBatchSize && _queue.TryDequeue(out var next))
                {
                    _queued.Remove(next.Key);
                    batch.Add(next);
                }

                if (batch.Count == 0)
                {
                    _callsInFlight--;
                    return;
                }
            }

            await SendAsync(batch).ConfigureAwait(false);
        }
    }

    /// <summary>Stores the batch and completes each entry's task with its own outcome; never throws.</summary>
    private async Task SendAsync(List<Pending> batch)
    {
        try
        {
            // The callers' tokens end their wait, not the write: an entry half sent is finished, which is harmless.
            var outcomes = await _writer.WriteBatchAsync(
                _table.TableName,
                [.. batch.Select(p => new WriteRequest { PutRequest = new PutRequest { Item = p.Item } })],
                null,
                CancellationToken.None).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                if (outcomes[i] is { } error)
                {
                    batch[i].Stored.TrySetException(error);
                }
                else
                {
                    batch[i].Stored.TrySetResult();
                }
            }
        }
        catch (Exception error)
        {
            batch.ForEach(p => p.Stored.TrySetException(error));
        }
    }

    private sealed class Pending(string key, Dictionary<string, AttributeValue> item)
    {
        public string Key { get; } = key;

        public Dictionary<string, AttributeValue> Item { get; } = item;

        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
