using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Serverless.Data.Tools.Migrations;

/// <summary>Whether the endpoint splits a parallel scan into disjoint segments (DynamoDB does; DynamoDB Local ignores Segment).</summary>
public static class ScanSegments
{
    /// <summary>
    /// Reads the first item of segment 0 and of segment 1 (of 2). Where segments are honoured they are disjoint,
    /// so the same key in both means the endpoint returned the whole table to each. Two reads, one item each.
    /// </summary>
    public static async Task<bool> AreHonouredAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var first = await FirstKeyAsync(client, tableName, 0, cancellationToken).ConfigureAwait(false);
        var second = await FirstKeyAsync(client, tableName, 1, cancellationToken).ConfigureAwait(false);
        return first is null || second is null || first != second;
    }

    private static async Task<string?> FirstKeyAsync(IAmazonDynamoDB client, string tableName, int segment, CancellationToken cancellationToken)
    {
        var response = await client.ScanAsync(
            new ScanRequest { TableName = tableName, Segment = segment, TotalSegments = 2, Limit = 1 },
            cancellationToken).ConfigureAwait(false);
        return response.Items is { Count: > 0 } items ? items[0]["PK"].S + "\n" + items[0]["SK"].S : null;
    }
}
