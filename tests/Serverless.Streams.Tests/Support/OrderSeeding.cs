using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Items;
using Serverless.Data.Privacy;
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
    /// chunks: hundreds of orders in a few requests (the denormalization only reads and rewrites headers). Their copies
    /// of the user's email and name are sealed under the user's key, as the repository seals them.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> AddOrderHeadersAsync(IAmazonDynamoDB client, string table, User user, int count, CancellationToken ct)
    {
        var keys = await KeysOfAsync(client, table, user.Id, ct) ?? throw new InvalidOperationException("The user has no key.");
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
                [table] = [.. chunk.Select(o => new WriteRequest(new PutRequest(OrderProtection.Seal(OrderMapper.ToHeaderItem(o), keys))))],
            };
            while (pending.Count > 0)
            {
                var response = await client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, ct);
                pending = response.UnprocessedItems is { Count: > 0 } rest ? rest : [];
            }
        }

        return [.. orders.Select(o => o.Id)];
    }

    /// <summary>The user's order headers as stored (a Query on GSI1 USER#id, every page), their copies decrypted under the user's key.</summary>
    public static async Task<List<Order>> OrdersOfAsync(TestTable table, Guid userId, CancellationToken ct)
    {
        var keys = await KeysOfAsync(table.Admin, table.Name, userId, ct);
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
            orders.AddRange((page.Items ?? []).Where(i => i[Attr.EntityType].S == EntityTypes.Order).Select(i => OrderMapper.FromHeaderItem(OrderProtection.Open(i, keys))));
            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null);

        return orders;
    }

    private static Task<UserFieldKeys?> KeysOfAsync(IAmazonDynamoDB client, string table, Guid userId, CancellationToken ct) =>
        new FieldProtection(client, table, FieldProtection.DefaultLocalRootKey(), TimeProvider.System).ForUserAsync(userId, consistent: true, ct);
}
