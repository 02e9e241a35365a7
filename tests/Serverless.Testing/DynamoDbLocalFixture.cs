using Amazon.DynamoDBv2;
using Serverless.DynamoDbLocal;
using Xunit;

namespace Serverless.Testing;

/// <summary>
/// One DynamoDB Local for the whole test assembly (register with
/// <c>[assembly: AssemblyFixture(typeof(DynamoDbLocalFixture))]</c>). Tests keep apart by using a table per class
/// or unique keys. With <c>DYNAMODB_ENDPOINT</c> set, the tests use that endpoint and start nothing.
/// </summary>
public sealed class DynamoDbLocalFixture : IAsyncLifetime
{
    private DynamoDbLocalServer? _server;

    public DynamoDbLocalServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public Uri ServiceUrl => Server.ServiceUrl;

    /// <summary>A client shared by the tests; make your own with <see cref="DynamoDbLocalServer.CreateClient"/> to record requests.</summary>
    public IAmazonDynamoDB Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await DynamoDbLocalServer.StartAsync(log: Console.Error, ct: TestContext.Current.CancellationToken);
        Client = _server.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
