namespace Serverless.Data.Reading;

/// <summary>
/// One page of a single-partition Query (base table or index) with expired items filtered out and a signed
/// cursor built from LastEvaluatedKey. Repositories give it the key condition; it owns limit, cursor and expiry.
/// </summary>
public sealed class QueryPaging(IAmazonDynamoDB client, CursorCodec cursors, TimeProvider timeProvider)
{
    // The filter runs after Limit, so a page can come back short and need another round; bounded so a
    // partition full of expired items costs a few reads, not a scan of it (the cursor then continues).
    private const int MaxRoundsPerPage = 10;

    /// <param name="request">Table, index, key condition, direction and any filter; Limit and ExclusiveStartKey are set here.</param>
    /// <param name="fingerprint">See <see cref="QueryFingerprint"/>: every parameter that shapes the results.</param>
    /// <param name="keyNames">The key attributes of the queried index (table keys plus index keys), to validate cursors.</param>
    public async Task<Page<Dictionary<string, AttributeValue>>> QueryPageAsync(
        QueryRequest request,
        string fingerprint,
        IReadOnlyList<string> keyNames,
        int limit,
        string? cursor,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(keyNames);
        request.ExcludeExpired(timeProvider.GetUtcNow());
        request.ExclusiveStartKey = cursor is null ? null : CursorPosition.ToKey(cursors.Decode(cursor, fingerprint), [.. keyNames]);

        var items = new List<Dictionary<string, AttributeValue>>(limit);
        Dictionary<string, AttributeValue>? lastKey = null;
        for (var round = 0; round < MaxRoundsPerPage; round++)
        {
            request.Limit = limit - items.Count;
            var response = await client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            items.AddRange(response.Items ?? []);
            lastKey = response.LastEvaluatedKey is { Count: > 0 } key ? key : null;
            if (lastKey is null || items.Count >= limit)
            {
                break;
            }

            request.ExclusiveStartKey = lastKey;
        }

        var next = lastKey is null ? null : cursors.Encode(fingerprint, CursorPosition.FromKey(lastKey));
        return new Page<Dictionary<string, AttributeValue>>(items, next);
    }

    /// <summary>Every item the Query matches, page after page (for a partition known to be small, or read whole on purpose).</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> AllAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var items = new List<Dictionary<string, AttributeValue>>();
        do
        {
            var response = await client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            items.AddRange(response.Items ?? []);
            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } lastKey ? lastKey : null;
        }
        while (request.ExclusiveStartKey is not null);
        return items;
    }
}
