using Serverless.Data.Privacy;

namespace Serverless.Data;

/// <summary>
/// What every repository works through, built once per table: the client, the table's settings, the clock, and the
/// shared machinery over them (reads that never return expired items, paged queries with signed cursors,
/// conditional writes, transactions, batches). A repository holds one and adds only its entity's knowledge.
/// </summary>
public sealed class TableAccess
{
    /// <exception cref="InvalidOperationException">The options are invalid (see <see cref="TableOptions.Validate"/>).</exception>
    /// <param name="rootKey">The root of the field keys (KMS on AWS); the local key file (<see cref="FieldProtection.DefaultLocalRootKey"/>) when null. Touched only when PII is written or read.</param>
    public TableAccess(IAmazonDynamoDB client, TableOptions options, TimeProvider timeProvider, IRootKey? rootKey = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        Client = client;
        Options = options;
        Time = timeProvider;
        Cursors = new CursorCodec(options);
        Reads = new ItemReads(client, timeProvider);
        Paging = new QueryPaging(client, Cursors, timeProvider);
        Merged = new MergedQuery(client);
        Writer = new ConditionalWriter(client);
        Transactions = new TransactionWriter(client, timeProvider);
        Statements = new StatementBatchWriter(client, StatementRetry, timeProvider);
        Privacy = new FieldProtection(client, options.TableName, rootKey ?? FieldProtection.DefaultLocalRootKey(), timeProvider);
    }

    /// <summary>The keys that keep PII encrypted and lookups on it blind (docs/privacy.md).</summary>
    public FieldProtection Privacy { get; }

    public IAmazonDynamoDB Client { get; }

    public TableOptions Options { get; }

    public string TableName => Options.TableName;

    public TimeProvider Time { get; }

    public CursorCodec Cursors { get; }

    public ItemReads Reads { get; }

    public QueryPaging Paging { get; }

    public MergedQuery Merged { get; }

    public ConditionalWriter Writer { get; }

    public TransactionWriter Transactions { get; }

    /// <summary>Guarded writes in bulk (PartiQL batches), throttled statements retried under <see cref="StatementRetry"/>.</summary>
    public StatementBatchWriter Statements { get; }

    /// <summary>As patient with throttled statements as the batch writer is with unprocessed items.</summary>
    public static RetryOptions StatementRetry { get; } = new() { MaxAttempts = 10 };

    /// <summary>
    /// One page of a partition, each item mapped: the page size from the caller's limit within the table's bounds, the
    /// caller's cursor checked against <paramref name="fingerprint"/>, expired items left out.
    /// </summary>
    /// <param name="fingerprint">See <see cref="QueryFingerprint"/>: every parameter that shapes the results.</param>
    public async Task<Page<T>> PageAsync<T>(
        PartitionQuery query,
        string fingerprint,
        PageRequest page,
        Func<Dictionary<string, AttributeValue>, T> map,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(map);
        var result = await Paging.QueryPageAsync(
            query.ToRequest(TableName), fingerprint, query.KeyNames, PageLimits.Resolve(page.Limit, Options), page.Cursor, cancellationToken)
            .ConfigureAwait(false);
        return new Page<T>([.. result.Items.Select(map)], result.NextCursor);
    }

    /// <summary>Now, to the millisecond: what is stored is exactly what is returned.</summary>
    public DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(Time.GetUtcNow().ToUnixTimeMilliseconds());
}
