using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Items;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Orders;
using Serverless.Domain.Users;
using Serverless.DynamoDbLocal;

namespace Serverless.Bench.Privacy;

/// <summary>
/// Erasure of a user with 1,000 orders: <see cref="UserPurge"/> (the user's key deleted first, then the cascade it
/// finds itself) against deleting the same items outright with BatchWriteItem, their keys known in advance.
/// </summary>
internal static class Erasure
{
    private const int Orders = 1_000;
    private const int LinesPerOrder = 2;

    public static async Task AddAsync(BenchContext context, SectionResult section, CancellationToken ct)
    {
        var rounds = context.Quick ? 2 : 5;
        var parallelism = UserPurge.DeleteOptions.Parallelism;
        var table = await context.CreateTableAsync("privacy-erasure", ct);
        var root = LocalRootKey.Ephemeral();
        var sealer = new UserItemSealer(await new FieldProtection(context.Client, table, root, TimeProvider.System).KeysAsync(ct));

        // Both sides on one client whose requests are logged, to see when the purge's first delete (the key) returned.
        using var log = new CallLog();
        using var client = new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, new AmazonDynamoDBConfig
        {
            ServiceURL = context.ServiceUrl.ToString(),
            AuthenticationRegion = DynamoDbLocalServer.LocalRegion,
            MaxErrorRetry = 3,
            HttpClientFactory = log,
        });
        var purge = new UserPurge(new TableAccess(client, PrivacyItems.Options(table), TimeProvider.System, root));

        var purgeTimes = new List<double>();
        var keyGoneTimes = new List<double>();
        var deleteTimes = new List<double>();
        var itemsPerUser = 0;
        PurgeReport? last = null;
        IReadOnlyList<CallLog.Call> purgeCalls = [], deleteCalls = [];
        for (var round = 0; round < rounds + 1; round++)
        {
            // Round 0 warms both paths and is not counted; then the order alternates.
            foreach (var purgeFirst in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var (user, items) = ErasableUser(round, sealer);
                itemsPerUser = items.Count;
                await RawWrites.BatchWriteAsync(context.Client, table, items, 8, ct);
                log.Clear();
                var start = Stopwatch.GetTimestamp();
                if (purgeFirst)
                {
                    last = await purge.PurgeAsync(user.Id, null, ct);
                    var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    purgeCalls = log.Calls;
                    var keyDeleted = purgeCalls.First(c => c.Operation == "DeleteItem").AnsweredAt;
                    if (last.Orders != Orders || last.OrderItems != Orders * LinesPerOrder || !last.KeyDeleted || !last.EmailMarkerDeleted || !last.UserItemDeleted)
                    {
                        throw new InvalidOperationException($"The purge of user {user.Id} left items behind: {last}.");
                    }

                    if (round > 0)
                    {
                        purgeTimes.Add(elapsed);
                        keyGoneTimes.Add(Stopwatch.GetElapsedTime(start, keyDeleted).TotalMilliseconds);
                    }
                }
                else
                {
                    await DeleteAsync(client, table, items, parallelism, ct);
                    var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    deleteCalls = log.Calls;
                    if (round > 0)
                    {
                        deleteTimes.Add(elapsed);
                    }
                }

                if (await CountLeftAsync(context.Client, table, user.Id, ct) is var left and > 0)
                {
                    throw new InvalidOperationException($"{left} items of user {user.Id} were left after the erasure.");
                }
            }
        }

        await context.DropTableAsync(table, ct);

        var purged = new Stats(purgeTimes);
        var deleted = new Stats(deleteTimes);
        var keyGone = new Stats(keyGoneTimes);
        section.Rows.Add(new Row
        {
            Measure = $"erasure of a user with {Orders:#,0} orders ({itemsPerUser:#,0} items): time, purge / BatchWriteItem deletion",
            Ours = Format.Ms(purged.Median),
            Baseline = Format.Ms(deleted.Median) + " (the same items, keys known in advance)",
            Ratio = purged.Median / deleted.Median,
        });
        section.Rows.Add(new Row
        {
            Measure = "erasure: time until the user's PII is unreadable everywhere (the purge's key item deleted)",
            Ours = Format.Ms(keyGone.Median),
            Baseline = Format.Ms(purged.Median) + " (the whole purge)",
        });
        section.Details.Add(
            $"Erasure, {rounds} rounds after one to warm, a fresh user each time (soft-deleted, retention over) with {Orders:#,0} orders of "
            + $"{LinesPerOrder} lines, its key and its email marker: purge p50 {Format.Ms(purged.Median)} (min {Format.Ms(purged.Min)}, max "
            + $"{Format.Ms(purged.Max)}), BatchWriteItem p50 {Format.Ms(deleted.Median)} (min {Format.Ms(deleted.Min)}, max {Format.Ms(deleted.Max)}), "
            + $"both {parallelism} calls in flight; the last purge reported {last?.Orders} orders, {last?.OrderItems} lines, key, marker and user item deleted. "
            + $"Requests: the purge {Describe(purgeCalls)} (a GSI1 page of 25 orders at a time, each order's partition queried for its lines, "
            + $"lines then headers deleted, round after round); the baseline {Describe(deleteCalls)}. The purge's time is that discovery, "
            + "which the baseline is spared by being handed every key.");
        section.Details.Add(
            "What each leaves: neither leaves any of the user's items in the table (its partition and its orders are counted after every round). The purge deletes the "
            + "user's key first, so from its second request on every copy of the user's PII outside the table (audit entries, stream records, "
            + "backups, exports; the order copies until their own deletion) is ciphertext under a destroyed key, with nothing to find and "
            + "rewrite, and a purge cut short has erased already. It then finds the rest itself (the orders on GSI1, their partitions, the "
            + "user's partition), which is its extra time over the baseline. The BatchWriteItem deletion needs every key in advance and "
            + "guarantees no order: cut short, it can leave the key and readable copies behind, and copies outside the table stay readable "
            + "for as long as the key exists.");
    }

    private static string Describe(IReadOnlyList<CallLog.Call> calls) =>
        string.Join(", ", calls.GroupBy(c => c.Operation).OrderByDescending(g => g.Count()).Select(g => $"{g.Count():#,0} {g.Key}"));

    /// <summary>A user whose soft delete's retention has ended (so the purge acts), with its orders, all sealed as stored.</summary>
    private static (User User, List<Dictionary<string, AttributeValue>> Items) ErasableUser(int round, UserItemSealer sealer)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var user = PrivacyItems.Person(round, now.AddDays(-90)) with
        {
            Status = UserStatus.Deleted,
            DeletedAt = now.AddDays(-31),
            PurgeAfter = now.AddDays(-1),
            UpdatedAt = now.AddDays(-31),
            Version = 2,
        };
        var items = sealer.ForUser(user, 1).ToList();
        for (var k = 0; k < Orders; k++)
        {
            var orderedAt = now.AddDays(-89).AddMinutes(k);
            var lines = Enumerable.Range(0, LinesPerOrder)
                .Select(l => new OrderItem { ProductId = Guid.NewGuid(), ProductName = $"Product {l}", Quantity = 1 + l, UnitPrice = 4.50m })
                .ToList();
            items.AddRange(sealer.ForOrder(new Order
            {
                Id = Guid.NewGuid(),
                UserId = user.Id,
                UserEmail = user.Email,
                UserName = user.Name,
                UserVersion = 1,
                Status = OrderStatus.Delivered,
                Items = lines,
                Total = lines.Sum(l => l.LineTotal),
                OrderedAt = orderedAt,
                CreatedAt = orderedAt,
                UpdatedAt = orderedAt,
                Version = 1,
                LastWriter = "user:shop",
            }));
        }

        return (user, items);
    }

    /// <summary>The baseline: BatchWriteItem deletes of every key, 25 a call, unprocessed ones sent again at once.</summary>
    private static async Task DeleteAsync(IAmazonDynamoDB client, string table, List<Dictionary<string, AttributeValue>> items, int parallelism, CancellationToken ct)
    {
        var batches = items
            .Select(i => new WriteRequest { DeleteRequest = new DeleteRequest { Key = new() { [Attr.PK] = i[Attr.PK], [Attr.SK] = i[Attr.SK] } } })
            .Chunk(25)
            .ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (batch, token) =>
        {
            var pending = new Dictionary<string, List<WriteRequest>> { [table] = [.. batch] };
            while (pending.Count > 0)
            {
                var response = await client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, token);
                pending = response.UnprocessedItems is { Count: > 0 } rest ? rest : [];
            }
        });
    }

    /// <summary>Items left of the user: in its partition (the user item, key, words, cities), its marker aside, and its orders on GSI1.</summary>
    private static async Task<int> CountLeftAsync(IAmazonDynamoDB client, string table, Guid userId, CancellationToken ct)
    {
        var partition = await client.QueryAsync(new QueryRequest
        {
            TableName = table,
            KeyConditionExpression = "#pk = :pk",
            ExpressionAttributeNames = new() { ["#pk"] = Attr.PK },
            ExpressionAttributeValues = new() { [":pk"] = Av.S(Keys.UserPartition(userId)) },
            Select = Select.COUNT,
            ConsistentRead = true,
        }, ct);
        var orders = await client.QueryAsync(new QueryRequest
        {
            TableName = table,
            IndexName = IndexNames.Gsi1,
            KeyConditionExpression = "#pk = :pk",
            ExpressionAttributeNames = new() { ["#pk"] = Attr.Gsi1PK },
            ExpressionAttributeValues = new() { [":pk"] = Av.S(IndexKeys.OrdersOfUser(userId)) },
            Select = Select.COUNT,
        }, ct);
        return (partition.Count ?? 0) + (orders.Count ?? 0);
    }
}
