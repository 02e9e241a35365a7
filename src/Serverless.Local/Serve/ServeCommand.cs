using System.CommandLine;
using Serverless.DynamoDbLocal;

namespace Serverless.Local;

/// <summary>The local stack, running until Ctrl+C.</summary>
public static class ServeCommand
{
    public const string Description =
        "Run the local stack until Ctrl+C: DynamoDB Local (unless DYNAMODB_ENDPOINT is set) with the table in a scratch database on disk, "
        + "deleted when the stack stops (memory stays bounded whatever is written; --data keeps it, --in-memory holds it in memory), the API on "
        + "Kestrel, every stream function of template.yaml fed from the table's stream as Lambda's event source mapping would, "
        + "and a TTL sweeper for endpoints that do not expire items themselves (the DynamoDB Local it starts does).";

    public static Command Create() => AddTo(new Command("serve", Description));

    /// <summary>
    /// Gives <paramref name="command"/> serve's options and action. The root command gets them too, so the bare
    /// command (the README's first line) is exactly <c>serve</c> with its defaults, and its --help shows them.
    /// </summary>
    public static T AddTo<T>(T command)
        where T : Command
    {
        ArgumentNullException.ThrowIfNull(command);
        var dynamoPort = new Option<int>("--dynamodb-port") { Description = "Port for DynamoDB Local (0 picks a free one).", DefaultValueFactory = _ => 8000 };
        var apiPort = new Option<int>("--api-port") { Description = "Port for the API on Kestrel (0 picks a free one).", DefaultValueFactory = _ => 3000 };
        var persist = new Option<string?>("--data") { Description = "Keep DynamoDB Local's data in this folder across runs (by default it is a scratch database, deleted when the stack stops)." };
        var inMemory = new Option<bool>("--in-memory") { Description = "Hold DynamoDB Local's data in memory instead of a scratch database on disk: faster for small data, but about 4 KB of memory an item (the large seed scenario does not fit 24 GiB)." };
        var template = new Option<string>("--template") { Description = "The SAM template whose stream functions run locally.", DefaultValueFactory = _ => "template.yaml" };
        var sweep = new Option<int?>("--sweep-seconds") { Description = "How often the TTL sweeper deletes expired items; 0 turns it off. Default: every 30 s against a DYNAMODB_ENDPOINT of yours, off against the DynamoDB Local the stack starts (it expires items itself, and each pass scans the whole table)." };
        command.Options.Add(dynamoPort);
        command.Options.Add(apiPort);
        command.Options.Add(persist);
        command.Options.Add(inMemory);
        command.Options.Add(template);
        var cache = new Option<bool>("--cache") { Description = "Run the user cache too: redis-server (apt-get install -y redis-server) on a free loopback port, the API and the CacheInvalidation stream function using it." };
        var cachePort = new Option<int>("--cache-port") { Description = "Port for the cache's redis-server with --cache (0 picks a free one).", DefaultValueFactory = _ => 0 };
        var metricsPort = new Option<int>("--metrics-port") { Description = "Port for the local metrics endpoint, GET /metrics (0 picks a free one; the ready line says which).", DefaultValueFactory = _ => 0 };
        var faults = new Option<string?>("--faults")
        {
            Description = "Inject faults into the DynamoDB calls of the API and the stream functions, and the API's KMS calls when KMS_ENDPOINT is local (for trying out retries; see docs/reliability.md): "
                + "a rate per class from throughput, throttle, 500, timeout, reset, lost (applied, its response dropped), e.g. throttle=0.2,lost=0.1,seed=7; "
                + "ops=DynamoDB_20120810.PutItem+... limits them to those operations.",
        };
        command.Options.Add(sweep);
        command.Options.Add(faults);
        command.Options.Add(metricsPort);
        command.Options.Add(cache);
        command.Options.Add(cachePort);
        command.SetAction(GuardedAction.Of("serve", async (parse, ct) =>
        {
            var dataDir = parse.GetValue(persist);
            if (dataDir is not null && parse.GetValue(inMemory))
            {
                throw new CommandException("--data keeps the data in a folder and --in-memory holds it in memory: choose one.");
            }

            var options = new LocalStackOptions
            {
                DynamoDb = new DynamoDbLocalOptions
                {
                    Port = parse.GetValue(dynamoPort),
                    Storage = dataDir is not null ? DynamoDbLocalStorage.Directory
                        : parse.GetValue(inMemory) ? DynamoDbLocalStorage.Memory
                        : DynamoDbLocalStorage.Scratch,
                    DataDirectory = dataDir,
                },
                ApiPort = parse.GetValue(apiPort),
                TemplatePath = parse.GetValue(template)!,
                SweepInterval = parse.GetValue(sweep) is { } seconds ? TimeSpan.FromSeconds(Math.Max(0, seconds)) : null,
                Cache = parse.GetValue(cache),
                CachePort = parse.GetValue(cachePort),
                MetricsPort = parse.GetValue(metricsPort),
                Faults = parse.GetValue(faults) is { } spec ? ValidFaults(spec) : null,
            };
            var stack = await LocalStack.StartAsync(options, Console.Error, ct);
            try
            {
                return await RunUntilStoppedAsync(stack, options, ct);
            }
            finally
            {
                try
                {
                    await stack.DisposeAsync();
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // Stopping a ready stack is its normal end: a part that was cancelled while it stopped is not an error
                    // (nor "stopped before the stack was ready", which is what reaches the user otherwise).
                }
            }
        }, "stopped before the stack was ready.", cancelledExitCode: 0));
        return command;
    }

    private static async Task<int> RunUntilStoppedAsync(LocalStack stack, LocalStackOptions options, CancellationToken ct)
    {
        await Console.Error.WriteLineAsync(
            $"Local stack ready. API: {stack.ApiUrl} (reference: {stack.ApiUrl}scalar, token: dotnet run --project src/Serverless.Local -- token --scopes \"data.read data.write\")"
            + $" | DynamoDB: {stack.DynamoDb.ServiceUrl} table {stack.TableName}"
            + $" | stream functions: {string.Join(", ", stack.StreamFunctions)}"
            + (stack.CacheEndpoint is null ? " | cache: off (--cache turns it on)" : $" | cache: redis {stack.CacheEndpoint}")
            + $" | metrics: {stack.MetricsUrl}"
            + (options.Faults is null ? "" : $" | faults: {options.Faults}")
            + " | Ctrl+C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the normal way out.
        }

        return 0;
    }

    private static string ValidFaults(string spec)
    {
        try
        {
            _ = Serverless.Data.Client.Faults.FaultOptions.Parse(spec);
            return spec;
        }
        catch (FormatException e)
        {
            throw new CommandException($"--faults: {e.Message}");
        }
    }
}
