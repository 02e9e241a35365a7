using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Serverless.Local.Tests.Support;

/// <summary>A fresh PK/SK table with a NEW_AND_OLD_IMAGES stream, one per test so no test reads another's records.</summary>
internal static class StreamTables
{
    public static async Task<string> CreateAsync(IAmazonDynamoDB client, string prefix, CancellationToken ct)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 255)];
        await client.CreateTableAsync(
            new CreateTableRequest
            {
                TableName = name,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions =
                [
                    new AttributeDefinition("PK", ScalarAttributeType.S),
                    new AttributeDefinition("SK", ScalarAttributeType.S),
                ],
                KeySchema = [new KeySchemaElement("PK", KeyType.HASH), new KeySchemaElement("SK", KeyType.RANGE)],
                StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
            },
            ct);
        return name;
    }

    public static async Task<string> StreamArnAsync(IAmazonDynamoDB client, string table, CancellationToken ct) =>
        (await client.DescribeTableAsync(new DescribeTableRequest { TableName = table }, ct)).Table.LatestStreamArn;

    public static Task PutAsync(IAmazonDynamoDB client, string table, string pk, string sk, CancellationToken ct, params (string Name, AttributeValue Value)[] attributes)
    {
        var item = new Dictionary<string, AttributeValue> { ["PK"] = new() { S = pk }, ["SK"] = new() { S = sk } };
        foreach (var (name, value) in attributes)
        {
            item[name] = value;
        }

        return client.PutItemAsync(new PutItemRequest { TableName = table, Item = item }, ct);
    }

    public static Task DeleteAsync(IAmazonDynamoDB client, string table, string pk, string sk, CancellationToken ct) =>
        client.DeleteItemAsync(
            new DeleteItemRequest { TableName = table, Key = new() { ["PK"] = new() { S = pk }, ["SK"] = new() { S = sk } } },
            ct);

    public static AttributeValue S(string value) => new() { S = value };

    public static AttributeValue N(long value) => new() { N = value.ToString(System.Globalization.CultureInfo.InvariantCulture) };
}
