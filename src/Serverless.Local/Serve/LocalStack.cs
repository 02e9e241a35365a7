using Amazon.DynamoDBv2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Serverless.Api;
using Serverless.Data.Table;
using Serverless.DynamoDbLocal;
using Serverless.Functions;
using Serverless.Lambda.Runtime;
using Serverless.Local.EventSourceMapping;
using Microsoft.Extensions.Logging;
using Serverless.Local.Streams;
using Serverless.Local.Telemetry;
using Serverless.Local.Ttl;

namespace Serverless.Local;

/// <summary>
/// Everything the local stack runs, started together and stopped together: DynamoDB Local with the table, the API on
/// Kestrel, every stream function of template.yaml fed by the event-source-mapping emulator, and the TTL sweeper; and
/// what they would tell CloudWatch: a short line per API request and per stream batch in the stack's output, and the
/// metrics at <see cref="MetricsUrl"/>.
/// </summary>
public sealed class LocalStack : IAsyncDisposable
{
    public const string TableNameVariable = "TABLE_NAME";

    private readonly List<IAsyncDisposable> _owned = [];
    private CancellationTokenSource? _sweeping;
    private Task? _sweeper;

    private readonly LocalMetrics _metrics = new();
    private TextWriter _log = TextWriter.Null;

    private LocalStack(DynamoDbLocalServer dynamoDb, IAmazonDynamoDB client, string tableName)
    {
        DynamoDb = dynamoDb;
        Client = client;
        TableName = tableName;
    }

    public DynamoDbLocalServer DynamoDb { get; }

    public IAmazonDynamoDB Client { get; }

    public string TableName { get; }

    /// <summary>The API's base address, once started.</summary>
    public Uri? ApiUrl { get; private set; }

    /// <summary>The logical ids of the stream functions running locally.</summary>
    public IReadOnlyList<string> StreamFunctions { get; private set; } = [];

    public TtlSweeper? Sweeper { get; private set; }

    /// <summary>The cache's endpoint (host:port) with <see cref="LocalStackOptions.Cache"/>; null without.</summary>
    public string? CacheEndpoint { get; private set; }

    /// <summary>Where the stack's metrics are read (<c>GET</c>, JSON), once started.</summary>
    public Uri? MetricsUrl { get; private set; }

    /// <summary>The metrics so far, as <see cref="MetricsUrl"/> serves them.</summary>
    public LocalMetrics Metrics => _metrics;

    /// <summary>The template parameter that brings in the cache's functions (template.yaml's CacheEnabled).</summary>
    public const string CacheParameter = "CacheEnabled";

    public static async Task<LocalStack> StartAsync(LocalStackOptions options, TextWriter log, CancellationToken ct)
    {
        var server = await DynamoDbLocalServer.StartAsync(options.DynamoDb, log, ct);
        var client = server.CreateClient();
        var tableName = Environment.GetEnvironmentVariable(TableNameVariable) is { Length: > 0 } name ? name : new TableOptions().TableName;
        var stack = new LocalStack(server, client, tableName) { _log = TextWriter.Synchronized(log) };
        try
        {
            var telemetry = await LocalTelemetryServer.StartAsync(stack._metrics, options.MetricsPort, ct);
            stack._owned.Add(telemetry);
            stack.MetricsUrl = telemetry.MetricsUrl;

            await TableSetup.EnsureCreatedAsync(client, tableName, ct);

            // The functions read their settings from the environment, as on Lambda: point them at this stack.
            Environment.SetEnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, server.ServiceUrl.ToString());
            Environment.SetEnvironmentVariable(TableNameVariable, tableName);
            // Read by every client the API and the functions make (DynamoDbClients.Create); serve has checked the spec.
            Environment.SetEnvironmentVariable(Serverless.Data.Client.DynamoDbClients.FaultsVariable, options.Faults is { Length: > 0 } ? options.Faults : null);
            if (options.Cache)
            {
                // Stopped last (the owned list stops in reverse): everything that uses it has stopped by then.
                var redis = await LocalRedis.StartAsync(options.CachePort, ct);
                stack._owned.Add(redis);
                stack.CacheEndpoint = redis.Endpoint;
                Environment.SetEnvironmentVariable(Serverless.Data.Caching.CacheOptions.EndpointVariable, redis.Endpoint);
            }

            await stack.StartApiAsync(options, ct);
            if (options.RunStreams)
            {
                await stack.StartStreamsAsync(options, log, ct);
            }

            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>The API's host builder as the stack makes it: the developer's environment (else Development), no settings reload.</summary>
    internal static WebApplicationBuilder CreateApiBuilder() =>
        ApiApp.CreateBuilder(new WebApplicationOptions { EnvironmentName = LocalEnvironment.Name(Environment.GetEnvironmentVariable), Args = LocalEnvironment.HostArguments });

    private async Task StartApiAsync(LocalStackOptions options, CancellationToken ct)
    {
        var builder = CreateApiBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.ApiPort}");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DynamoDb:ServiceUrl"] = DynamoDb.ServiceUrl.ToString(),
            ["Table:TableName"] = TableName,
            ["Cache:Endpoint"] = CacheEndpoint,
        });
        builder.Logging.AddProvider(new RequestSummaryLoggerProvider(_log));
        var app = ApiApp.Build(builder);
        await app.StartAsync(ct);
        _owned.Add(app);
        ApiUrl = new Uri(app.Urls.First());
    }

    private async Task StartStreamsAsync(LocalStackOptions options, TextWriter log, CancellationToken ct)
    {
        // With the cache, the template's functions that exist only with it run too, as a stack deployed with it has them.
        var parameters = options.Cache ? new Dictionary<string, string> { [CacheParameter] = "true" } : null;
        var settings = await SamTemplateLoader.LoadFileAsync(options.TemplatePath, parameters, ct);
        var functionOptions = new FunctionOptions { ConfigureLogging = logging => logging.Output = options.FunctionLog ?? Console.OpenStandardError() };
        var mappings = new List<StreamFunctionMapping>();
        foreach (var mapping in settings.Where(s => s.Enabled))
        {
            var function = await FunctionCatalog.Registry.CreateAsync(mapping.Handler, functionOptions, ct);
            if (function is IAsyncDisposable disposable)
            {
                _owned.Add(disposable);
            }

            var destination = mapping.OnFailureDestination is null
                ? null
                : new JsonLinesFileDestination(Path.Combine(options.FailureDirectory, mapping.FunctionName + ".jsonl"));
            mappings.Add(new StreamFunctionMapping(mapping, TableName, BatchSummary.Around(mapping.FunctionName, InvokeWith(function), _metrics, _log), destination));
        }

        var ttlDeletions = new TtlDeletionLog();
        // serve --faults faults the stream reads too (DescribeStream, GetShardIterator, GetRecords), as it does the
        // functions' table calls; the spec's ops= names which, when it names any.
        var streams = options.Faults is { Length: > 0 } faults
            ? DynamoDbStreamsClient.ForLocal(DynamoDb.ServiceUrl, new Serverless.Data.Client.Faults.FaultInjectingHandler(Serverless.Data.Client.Faults.FaultOptions.Parse(faults), new SocketsHttpHandler()))
            : DynamoDbStreamsClient.ForLocal(DynamoDb.ServiceUrl);
        var emulator = new EventSourceMappingEmulator(Client, streams, mappings, ttlDeletions: ttlDeletions, log: log);
        await emulator.StartAsync(ct);
        _owned.Add(emulator);
        StreamFunctions = mappings.Select(m => m.Settings.FunctionName).ToList();

        var sweepEvery = options.SweepEvery(DynamoDb.Owned);
        if (sweepEvery <= TimeSpan.Zero)
        {
            return;
        }

        Sweeper = new TtlSweeper(Client, new TtlSweeperOptions { TableNames = [TableName], Interval = sweepEvery }, ttlDeletions, output: log);
        _sweeping = new CancellationTokenSource();
        _sweeper = Sweeper.RunAsync(_sweeping.Token);
    }

    /// <summary>The emulator's function boundary over Lambda's: the same bytes in and out, a fresh context per call.</summary>
    private static Func<ReadOnlyMemory<byte>, CancellationToken, Task<ReadOnlyMemory<byte>>> InvokeWith(ILambdaFunction function) =>
        async (payload, ct) =>
        {
            var context = LambdaContext.ForLocalInvocation(ProcessEnvironment.Instance, TimeProvider.System, TimeSpan.FromMinutes(5));
            return await function.InvokeAsync(payload, context, ct);
        };

    public async ValueTask DisposeAsync()
    {
        if (_sweeping is not null)
        {
            await _sweeping.CancelAsync();
            try
            {
                await (_sweeper ?? Task.CompletedTask);
            }
            catch (OperationCanceledException)
            {
                // Stopping is the point.
            }

            _sweeping.Dispose();
        }

        // Stop in reverse order of starting: the emulator before the functions it calls, the API before the table.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        Client.Dispose();
        _metrics.Dispose();
        await DynamoDb.DisposeAsync();
        if (CacheEndpoint is not null)
        {
            Environment.SetEnvironmentVariable(Serverless.Data.Caching.CacheOptions.EndpointVariable, null);
        }
    }
}
