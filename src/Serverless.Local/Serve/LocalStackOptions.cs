using Serverless.DynamoDbLocal;

namespace Serverless.Local;

public sealed record LocalStackOptions
{
    public DynamoDbLocalOptions DynamoDb { get; init; } = new();

    /// <summary>Loopback port of the API on Kestrel; 0 picks a free one.</summary>
    public int ApiPort { get; init; } = 3000;

    /// <summary>Loopback port of the metrics endpoint (<c>GET /metrics</c>); 0 (the default) picks a free one.</summary>
    public int MetricsPort { get; init; }

    /// <summary>The SAM template whose stream functions (and their event source settings) run locally.</summary>
    public string TemplatePath { get; init; } = "template.yaml";

    /// <summary>
    /// How often the TTL sweeper deletes expired items; zero: no sweeper. Null (the default): every
    /// <see cref="ExternalSweepInterval"/> against a DynamoDB the stack did not start (<c>DYNAMODB_ENDPOINT</c>), none
    /// against the DynamoDB Local it started, which expires items itself (and each pass scans the whole table).
    /// </summary>
    public TimeSpan? SweepInterval { get; init; }

    public static readonly TimeSpan ExternalSweepInterval = TimeSpan.FromSeconds(30);

    /// <summary>The sweeper's interval for this stack (zero: none), given whether it started its DynamoDB Local itself.</summary>
    public TimeSpan SweepEvery(bool dynamoDbOwned) => SweepInterval ?? (dynamoDbOwned ? TimeSpan.Zero : ExternalSweepInterval);

    /// <summary>Where batches a stream function gave up on are written, one JSON-lines file per function.</summary>
    public string FailureDirectory { get; init; } = Path.Combine(".local", "failures");

    /// <summary>
    /// Run the user cache (<c>serve --cache</c>): start <c>redis-server</c>, point the API and the functions at it, and run
    /// the template's functions that exist only with its cache (<c>CacheEnabled=true</c>: the CacheInvalidation function).
    /// </summary>
    public bool Cache { get; init; }

    /// <summary>Loopback port of the cache's redis-server; 0 picks a free one.</summary>
    public int CachePort { get; init; }

    /// <summary>Start the stream functions and the sweeper (false: DynamoDB Local and the API only).</summary>
    public bool RunStreams { get; init; } = true;

    /// <summary>
    /// Faults for the DynamoDB clients of the API and the stream functions (<c>serve --faults</c>), a spec such as
    /// <c>throttle=0.2,lost=0.1,seed=7</c> (<see cref="Serverless.Data.Client.Faults.FaultOptions.Parse"/>); null: none.
    /// The stack's own client (table setup, the stream reader, the TTL sweeper) is never faulted.
    /// </summary>
    public string? Faults { get; init; }

    /// <summary>Where the stream functions' JSON log lines go (null: standard error, as on Lambda's console).</summary>
    public Stream? FunctionLog { get; init; }
}
