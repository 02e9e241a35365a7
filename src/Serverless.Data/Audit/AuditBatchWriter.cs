using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Table;
using Serverless.Data.Writing;
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
    private readonly IAmazonDynamoDB _client;
    private readonly TableOptions _table;
    private readonly TimeProvider _timeProvider;
    private readonly AuditBatchWriterOptions _options;
    private readonly Lock _gate = new();
    private readonly Queue<Pending> _queue = new();
    private readonly Dictionary<string, Pending> _queued = new(StringComparer.Ordinal);
    private int _callsInFlight;

    public AuditBatchWriter(IAmazonDynamoDB client, TableOptions table, TimeProvider timeProvider, AuditBatchWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(timeProvider);
        table.Validate();
        _client = client;
        _table = table;
        _timeProvider = timeProvider;
        _options = options ?? new AuditBatchWriterOptions();
        _options.Validate();
    }

    /// <summary>Completes when the entry is stored (by this call or by an identical one sent at the same time).</summary>
    /// <exception cref="Serverless.Domain.ValidationException">The entry breaks a rule or is over 400 KB stored; nothing was sent.</exception>
    /// <exception cref="AuditWriteException">DynamoDB kept the entry unprocessed through every attempt (throttling).</exception>
    public Task WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        AuditEntryRules.EnsureValid(entry);
        var item = AuditEntryMapper.ToItem(entry, entry.ChangedAt + _table.AuditRetention);
        // One oversized item would fail the whole call it rides in; it fails here, alone, instead.
        ItemSize.EnsureWithinLimit(item);
        var key = KeyOf(item);

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

            if (_callsInFlight < _options.MaxCallsInFlight)
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

    /// <summary>Stores the batch and completes each entry's task; never throws.</summary>
    private async Task SendAsync(List<Pending> batch)
    {
        var left = batch;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                // The callers' tokens end their wait, not the write: an entry half sent is finished, which is harmless.
                var response = await _client.BatchWriteItemAsync(
                    new BatchWriteItemRequest
                    {
                        RequestItems = new Dictionary<string, List<WriteRequest>>
                        {
                            [_table.TableName] = [.. left.Select(p => new WriteRequest { PutRequest = new PutRequest { Item = p.Item } })],
                        },
                    },
                    CancellationToken.None).ConfigureAwait(false);

                var unprocessed = response.UnprocessedItems is { } rest && rest.TryGetValue(_table.TableName, out var writes)
                    ? writes.Select(w => KeyOf(w.PutRequest.Item)).ToHashSet(StringComparer.Ordinal)
                    : [];
                foreach (var pending in left.Where(p => !unprocessed.Contains(p.Key)))
                {
                    pending.Stored.TrySetResult();
                }

                left = [.. left.Where(p => unprocessed.Contains(p.Key))];
                if (left.Count == 0)
                {
                    return;
                }

                if (attempt >= _options.MaxAttempts)
                {
                    var error = new AuditWriteException(
                        $"DynamoDB left the audit entry unprocessed through {_options.MaxAttempts} attempts (the table is throttling).");
                    left.ForEach(p => p.Stored.TrySetException(error));
                    return;
                }

                await Task.Delay(Backoff.Delay(attempt, _options.BaseDelay, _options.MaxDelay, Random.Shared), _timeProvider).ConfigureAwait(false);
            }
        }
        catch (Exception) when (left.Count > 1)
        {
            // A call fails whole for one bad item (or an error of the moment): each entry alone finds out which.
            foreach (var pending in left)
            {
                try
                {
                    await _client.PutItemAsync(new PutItemRequest { TableName = _table.TableName, Item = pending.Item }, CancellationToken.None).ConfigureAwait(false);
                    pending.Stored.TrySetResult();
                }
                catch (Exception alone)
                {
                    pending.Stored.TrySetException(alone);
                }
            }
        }
        catch (Exception error)
        {
            left.ForEach(p => p.Stored.TrySetException(error));
        }
    }

    private static string KeyOf(Dictionary<string, AttributeValue> item) => item[Attr.PK].S + "\u0001" + item[Attr.SK].S;

    private sealed class Pending(string key, Dictionary<string, AttributeValue> item)
    {
        public string Key { get; } = key;

        public Dictionary<string, AttributeValue> Item { get; } = item;

        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

public sealed record AuditBatchWriterOptions
{
    /// <summary>BatchWriteItem calls in flight at once; entries arriving meanwhile wait and leave together.</summary>
    public int MaxCallsInFlight { get; init; } = 4;

    /// <summary>Attempts in all for entries DynamoDB leaves unprocessed (throttling), first call included.</summary>
    public int MaxAttempts { get; init; } = 6;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <exception cref="ArgumentOutOfRangeException">A count below 1 or a negative delay.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCallsInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, BaseDelay);
    }
}

/// <summary>An audit entry could not be stored through every attempt.</summary>
public sealed class AuditWriteException(string message) : Exception(message);
