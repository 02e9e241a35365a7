using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;
using Serverless.DynamoDbLocal;

namespace Serverless.Bench.Support;

/// <summary>
/// What every section shares: one DynamoDB Local for the run (or <c>DYNAMODB_ENDPOINT</c>), a fresh table per
/// measurement, the mode and the folders. Baseline and subject of a comparison always use the same server.
/// </summary>
public sealed class BenchContext : IAsyncDisposable
{
    private readonly DynamoDbLocalServer _server;
    private int _tables;

    private BenchContext(DynamoDbLocalServer server, BenchSettings settings)
    {
        _server = server;
        Settings = settings;
        Client = server.CreateClient();
    }

    public BenchSettings Settings { get; }

    public bool Quick => Settings.Quick;

    public Uri ServiceUrl => _server.ServiceUrl;

    /// <summary>CPU time of this process and of DynamoDB Local, to say where a measurement's time went.</summary>
    public CpuMeter Cpu => new(_server.ProcessId);

    /// <summary>A client for the harness and the raw baselines (the subjects build their own, as they would on Lambda).</summary>
    public IAmazonDynamoDB Client { get; }

    public static async Task<BenchContext> StartAsync(BenchSettings settings, CancellationToken ct)
    {
        // Java's default heap (a quarter of the machine's memory) holds the largest table a section builds.
        var server = await DynamoDbLocalServer.StartAsync(log: Console.Error, ct: ct);
        return new BenchContext(server, settings);
    }

    public IAmazonDynamoDB CreateClient() => _server.CreateClient();

    /// <summary>
    /// A new, empty table with the project's definition, named for the measurement that uses it. Without its stream:
    /// no section reads one (the stream functions are invoked directly), and DynamoDB Local slows every write for each
    /// streamed table it has held, so a run that makes and drops dozens of tables would measure its own history.
    /// </summary>
    public async Task<string> CreateTableAsync(string purpose, CancellationToken ct)
    {
        var name = $"bench-{purpose}-{Interlocked.Increment(ref _tables)}";
        await TableSetup.EnsureCreatedAsync(Client, name, withStream: false, ct);
        return name;
    }

    /// <summary>Frees DynamoDB Local's memory between measurements (it is an in-memory database).</summary>
    public async Task DropTableAsync(string name, CancellationToken ct)
    {
        try
        {
            await Client.DeleteTableAsync(new DeleteTableRequest { TableName = name }, ct);
        }
        catch (ResourceNotFoundException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }
}

public sealed record BenchSettings(bool Quick, string RepoRoot, string ResultsDirectory, string BuildsDirectory)
{
    public string DocPath => Path.Combine(RepoRoot, "docs", "benchmarks.md");
}
