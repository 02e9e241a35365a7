namespace Serverless.Data.Table;

/// <summary>Creates the table from <see cref="TableDefinition"/> where nothing deploys it (DynamoDB Local, tests).</summary>
public static class TableSetup
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Creates the table if it is missing, waits until it and its indexes are ACTIVE, and enables TTL. Safe to repeat.</summary>
    public static Task EnsureCreatedAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken) =>
        EnsureCreatedAsync(client, tableName, withStream: true, cancellationToken);

    /// <summary>
    /// As <see cref="EnsureCreatedAsync(IAmazonDynamoDB, string, CancellationToken)"/>; <paramref name="withStream"/>
    /// false leaves the stream off, for a table nothing consumes (bulk loads, data-only tests). DynamoDB Local does
    /// bookkeeping for every stream it has ever had on each write, so on a long-lived instance that has seen many
    /// streamed tables, writes to a table without one stay fast.
    /// </summary>
    public static async Task EnsureCreatedAsync(IAmazonDynamoDB client, string tableName, bool withStream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (await DescribeOrNullAsync(client, tableName, cancellationToken).ConfigureAwait(false) is null)
        {
            var request = TableDefinition.CreateTableRequest(tableName);
            if (!withStream)
            {
                request.StreamSpecification = new StreamSpecification { StreamEnabled = false };
            }

            try
            {
                await client.CreateTableAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (ResourceInUseException)
            {
                // Another process created it between our describe and create: that is the state we wanted.
            }
        }

        await WaitUntilActiveAsync(client, tableName, cancellationToken).ConfigureAwait(false);
        await EnableTtlAsync(client, tableName, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<TableDescription?> DescribeOrNullAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.DescribeTableAsync(new DescribeTableRequest { TableName = tableName }, cancellationToken).ConfigureAwait(false);
            return response.Table;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    private static async Task WaitUntilActiveAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        while (true)
        {
            var table = await DescribeOrNullAsync(client, tableName, cancellationToken).ConfigureAwait(false);
            var indexesActive = table?.GlobalSecondaryIndexes?.All(i => i.IndexStatus == IndexStatus.ACTIVE) ?? true;
            if (table?.TableStatus == TableStatus.ACTIVE && indexesActive)
            {
                return;
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task EnableTtlAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        var current = await client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = tableName }, cancellationToken).ConfigureAwait(false);
        var status = current.TimeToLiveDescription?.TimeToLiveStatus;
        if (status == TimeToLiveStatus.ENABLED || status == TimeToLiveStatus.ENABLING)
        {
            return;
        }

        await client.UpdateTimeToLiveAsync(
            new UpdateTimeToLiveRequest
            {
                TableName = tableName,
                TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = TableDefinition.TtlAttribute, Enabled = true },
            },
            cancellationToken).ConfigureAwait(false);
    }
}
