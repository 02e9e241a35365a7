using Amazon.DynamoDBv2;
using Serverless.DynamoDbLocal;

namespace Serverless.Local;

/// <summary>Everything the local stack runs, started together and stopped together.</summary>
public sealed class LocalStack : IAsyncDisposable
{
    public const string TableNameVariable = "TABLE_NAME";

    private LocalStack(DynamoDbLocalServer dynamoDb, IAmazonDynamoDB client, string tableName)
    {
        DynamoDb = dynamoDb;
        Client = client;
        TableName = tableName;
    }

    public DynamoDbLocalServer DynamoDb { get; }

    public IAmazonDynamoDB Client { get; }

    public string TableName { get; }

    public static async Task<LocalStack> StartAsync(DynamoDbLocalOptions options, TextWriter log, CancellationToken ct)
    {
        var server = await DynamoDbLocalServer.StartAsync(options, log, ct);
        var client = server.CreateClient();
        var tableName = Environment.GetEnvironmentVariable(TableNameVariable) is { Length: > 0 } name ? name : "Serverless";
        return new LocalStack(server, client, tableName);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await DynamoDb.DisposeAsync();
    }
}
