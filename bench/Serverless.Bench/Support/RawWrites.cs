using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Serverless.Bench.Support;

/// <summary>
/// The floor for writing: BatchWriteItem with 25 items a call and a fixed number of calls in flight, unprocessed
/// items resent at once. No mapping, no conditions, items prepared before the clock starts.
/// </summary>
public static class RawWrites
{
    public static async Task<TimeSpan> BatchWriteAsync(
        IAmazonDynamoDB client, string table, IReadOnlyList<Dictionary<string, AttributeValue>> items, int parallelism, CancellationToken ct)
    {
        var batches = items.Chunk(25).Select(chunk => chunk.Select(i => new WriteRequest { PutRequest = new PutRequest { Item = i } }).ToList()).ToList();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (batch, token) =>
        {
            var pending = new Dictionary<string, List<WriteRequest>> { [table] = batch };
            while (pending.Count > 0)
            {
                var response = await client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, token);
                pending = response.UnprocessedItems is { Count: > 0 } rest ? rest : [];
            }
        });
        return clock.Elapsed;
    }
}
