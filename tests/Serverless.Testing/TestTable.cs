using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;
using Serverless.DynamoDbLocal;

namespace Serverless.Testing;

/// <summary>
/// A uniquely named table created from <see cref="TableDefinition"/> (through <see cref="TableSetup"/>), with a
/// recording client for the code under test and a plain client for the test's own checks, so the test's
/// counting Scans never show up among the recorded requests. Deleted on dispose.
/// </summary>
public sealed class TestTable : IAsyncDisposable
{
    private TestTable(string name, IAmazonDynamoDB admin, IAmazonDynamoDB recorded, RequestRecorder recorder)
    {
        Name = name;
        Admin = admin;
        Client = recorded;
        Requests = recorder;
    }

    public string Name { get; }

    /// <summary>The client to give the code under test: every request it sends is in <see cref="Requests"/>.</summary>
    public IAmazonDynamoDB Client { get; }

    public RequestRecorder Requests { get; }

    /// <summary>For the test's own reads (counting, raw item checks); not recorded.</summary>
    public IAmazonDynamoDB Admin { get; }

    public static Task<TestTable> CreateAsync(DynamoDbLocalFixture fixture, CancellationToken cancellationToken) =>
        CreateAsync(fixture, withStream: true, cancellationToken);

    /// <param name="withStream">
    /// False for a test that consumes no stream and writes a lot: DynamoDB Local slows every write down for each
    /// streamed table it has had (hundreds over a test run), so bulk tests keep clear of that cost.
    /// </param>
    public static async Task<TestTable> CreateAsync(DynamoDbLocalFixture fixture, bool withStream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var name = "t-" + Guid.NewGuid().ToString("N");
        await TableSetup.EnsureCreatedAsync(fixture.Client, name, withStream, cancellationToken);
        var recorder = new RequestRecorder();
        var config = fixture.Server.CreateConfig();
        config.HttpClientFactory = recorder;
        return new TestTable(name, fixture.Client, new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config), recorder);
    }

    public TableOptions Options(int createdDateShards = 1) => new()
    {
        TableName = Name,
        CreatedDateShards = createdDateShards,
        CursorSigningKey = "test-cursor-signing-key-0123456789abcdef",
    };

    /// <summary>
    /// Every item in the table (a Scan: test bookkeeping only, on the unrecorded client), except the keyring's own
    /// items, which the first use of the table's keys makes and which belong to no entity ("nothing was written" holds beside them).
    /// </summary>
    public async Task<List<Dictionary<string, AttributeValue>>> AllItemsAsync(CancellationToken cancellationToken) =>
        [.. (await EveryItemAsync(cancellationToken)).Where(i => i.GetValueOrDefault(Attr.PK)?.S != Serverless.Data.Privacy.Keyring.Partition)];

    /// <summary>Every item, the keyring's included.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> EveryItemAsync(CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var response = await Admin.ScanAsync(new ScanRequest { TableName = Name, ExclusiveStartKey = start }, cancellationToken);
            items.AddRange(response.Items ?? []);
            start = response.LastEvaluatedKey is { Count: > 0 } key ? key : null;
        }
        while (start is not null);

        return items;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Admin.DeleteTableAsync(new DeleteTableRequest { TableName = Name }, CancellationToken.None);
        }
        catch (ResourceNotFoundException)
        {
            // Already gone.
        }

        Client.Dispose();
    }
}
