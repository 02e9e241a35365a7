using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Orders;
using Serverless.Data.Table;
using Serverless.Domain.Orders;
using Serverless.Domain.Users;
using Serverless.Testing;

namespace Serverless.Streams.Tests.Support;

internal static class OrderSeeding
{
    /// <summary>
    /// Order headers of <paramref name="user"/> as the order repository stores them, written in BatchWriteItem
    /// chunks: hundreds of orders in a few requests (the denormalization only reads and rewrites headers).
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> AddOrderHeadersAsync(IAmazonDynamoDB client, string table, User user, int count, CancellationToken ct)
    {
        var start = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var orders = Enumerable.Range(0, count).Select(i => new Order
        {
            Id = Guid.NewGuid(),
            UserId = user.Id,
            UserEmail = user.Email,
            UserName = user.Name,
            UserVersion = user.Version,
            Total = 10m,
            OrderedAt = start.AddSeconds(-i),
            CreatedAt = start,
            UpdatedAt = start,
            Version = 1,
            LastWriter = "user:shop",
        }).ToList();

        foreach (var chunk in orders.Chunk(25))
        {
            var pending = new Dictionary<string, List<WriteRequest>>
            {
                [table] = [.. chunk.Select(o => new WriteRequest(new PutRequest(OrderMapper.ToHeaderItem(o))))],
            };
            while (pending.Count > 0)
            {
                var response = await client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, ct);
                pending = response.UnprocessedItems is { Count: > 0 } rest ? rest : [];
            }
        }

        return [.. orders.Select(o => o.Id)];
    }

    /// <summary>The user's order headers as stored (a Query on GSI1 USER#id, every page).</summary>
    public static async Task<List<Order>> OrdersOfAsync(TestTable table, Guid userId, CancellationToken ct)
    {
        var orders = new List<Order>();
        var request = new QueryRequest
        {
            TableName = table.Name,
            IndexName = IndexNames.Gsi1,
            KeyConditionExpression = "#pk = :pk",
            ExpressionAttributeNames = new() { ["#pk"] = Attr.Gsi1PK },
            ExpressionAttributeValues = new() { [":pk"] = Av.S(IndexKeys.OrdersOfUser(userId)) },
        };
        do
        {
            var page = await table.Admin.QueryAsync(request, ct);
            orders.AddRange((page.Items ?? []).Where(i => i[Attr.EntityType].S == EntityTypes.Order).Select(OrderMapper.FromHeaderItem));
            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null);

        return orders;
    }
}
