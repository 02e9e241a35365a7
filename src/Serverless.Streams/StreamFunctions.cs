using Amazon.DynamoDBv2;
using Microsoft.Extensions.Logging;
using Serverless.Data;
using Serverless.Data.Audit;
using Serverless.Data.Caching;
using Serverless.Data.Client;
using Serverless.Data.Orders;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Lambda.Batch;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Metrics;
using Serverless.Lambda.Runtime;
using Serverless.Streams.Audit;
using Serverless.Streams.Cache;
using Serverless.Streams.Denormalize;
using Serverless.Streams.Purge;

namespace Serverless.Streams;

/// <summary>
/// The stream functions as Lambda functions (DynamoDB batch in, <c>batchItemFailures</c> out). Register them in the
/// executable's catalog by handler name, e.g.
/// <c>new(StreamFunctions.Audit, (o, ct) => StreamFunctions.CreateFromEnvironmentAsync(StreamFunctions.Audit, o.ConfigureLogging, ct))</c>,
/// or build one around an existing client with <see cref="CreateAudit"/> and its siblings.
/// </summary>
public static class StreamFunctions
{
    public const string Audit = "Audit";
    public const string Denormalize = "Denormalize";
    public const string Purge = "Purge";
    public const string CacheInvalidation = "CacheInvalidation";

    public static IReadOnlyList<string> Names { get; } = [Audit, Denormalize, Purge, CacheInvalidation];

    public static ILambdaFunction CreateAudit(IAmazonDynamoDB client, TableOptions table, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var handler = new AuditFunction(new AuditBatchWriter(client, table, timeProvider));
        // Each record writes one entry of its own: records of different items are independent, so they need not wait
        // for each other, and the entries of the records in hand at once leave together in BatchWriteItem calls.
        return Wrap(handler, loggerFactory, AuditConcurrency);
    }

    public static ILambdaFunction CreateDenormalize(
        IAmazonDynamoDB client, TableOptions table, ILoggerFactory loggerFactory, TimeProvider timeProvider, DenormalizeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var settings = options ?? new DenormalizeOptions { PageSize = Math.Min(new DenormalizeOptions().PageSize, table.MaxPageLimit) };
        var handler = new DenormalizeFunction(
            new OrderRepository(new TableAccess(client, table, timeProvider)), settings, timeProvider, loggerFactory.CreateLogger<DenormalizeFunction>());
        // Different users' renames touch different orders; each already has MaxParallelWrites batches of 25 in flight.
        return Wrap(handler, loggerFactory, DenormalizeConcurrency);
    }

    public static ILambdaFunction CreatePurge(IAmazonDynamoDB client, TableOptions table, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var handler = new PurgeFunction(new UserPurge(new TableAccess(client, table, timeProvider)), loggerFactory.CreateLogger<PurgeFunction>());
        return Wrap(handler, loggerFactory);
    }

    /// <summary>
    /// The user cache's invalidation for writers that bypass the API (docs/caching.md). It owns <paramref name="cache"/>
    /// and disposes it with itself. Records of different users are independent; each is a few cache calls.
    /// </summary>
    public static ILambdaFunction CreateCacheInvalidation(UserCache cache, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return new CacheOwningFunction(Wrap(new CacheInvalidationFunction(cache), loggerFactory, CacheInvalidationConcurrency), cache);
    }

    /// <summary>The user cache of <paramref name="settings"/> (<see cref="UserCache.Off"/> without an endpoint), logging through <paramref name="loggerFactory"/>.</summary>
    public static UserCache CreateCache(CacheOptions settings, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (!settings.IsEnabled)
        {
            return UserCache.Off;
        }

        var log = loggerFactory.CreateLogger("Serverless.Data.Cache");
        return new UserCache(RedisCacheStore.Connect(settings), settings, timeProvider, message => log.LogWarning("{Message}", message));
    }

    /// <summary>Builds one of <see cref="Names"/> from <paramref name="settings"/>, around the given client.</summary>
    /// <exception cref="ArgumentException">No stream function has that name.</exception>
    public static ILambdaFunction Create(
        string name, IAmazonDynamoDB client, StreamFunctionSettings settings, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return name switch
        {
            Audit => CreateAudit(client, settings.Table, loggerFactory, timeProvider),
            Denormalize => CreateDenormalize(client, settings.Table, loggerFactory, timeProvider, settings.Denormalize),
            Purge => CreatePurge(client, settings.Table, loggerFactory, timeProvider),
            CacheInvalidation => CreateCacheInvalidation(CreateCache(settings.Cache, loggerFactory, timeProvider), loggerFactory),
            _ => throw new ArgumentException($"No stream function is named '{name}'; the names are {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>
    /// What the Lambda executable calls during init: settings from the environment (<see cref="StreamFunctionSettings"/>),
    /// a DynamoDB client, JSON logging. The returned function owns the client and the loggers and disposes them.
    /// </summary>
    public static ValueTask<ILambdaFunction> CreateFromEnvironmentAsync(
        string name, Action<LambdaJsonLoggerOptions>? configureLogging, CancellationToken cancellationToken) =>
        CreateFromEnvironmentAsync(name, ProcessEnvironment.Instance, configureLogging, cancellationToken);

    /// <inheritdoc cref="CreateFromEnvironmentAsync(string, Action{LambdaJsonLoggerOptions}, CancellationToken)"/>
    public static ValueTask<ILambdaFunction> CreateFromEnvironmentAsync(
        string name, IRuntimeEnvironment environment, Action<LambdaJsonLoggerOptions>? configureLogging, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var settings = StreamFunctionSettings.FromEnvironment(environment);
        var loggerFactory = LoggerFactory.Create(logging => logging.AddLambdaJsonLogging(configureLogging));
        var dataLog = loggerFactory.CreateLogger("Serverless.Data.DynamoDb");
        var client = DynamoDbClients.Create(
            settings.ServiceUrl, settings.Region, telemetry: new DynamoDbTelemetry(onSlowOperation: o => StreamTelemetry.WriteSlowOperation(dataLog, o)));
        try
        {
            var function = Create(name, client, settings, loggerFactory, TimeProvider.System);
            return ValueTask.FromResult<ILambdaFunction>(new OwningFunction(function, client, loggerFactory));
        }
        catch
        {
            client.Dispose();
            loggerFactory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Records of different items the audit function handles at once. Each mostly waits for its entry's BatchWriteItem
    /// call (4 in flight, 25 entries each), so this many in hand keep those calls full.
    /// </summary>
    public const int AuditConcurrency = 100;

    /// <summary>Users whose cache entries the invalidation handles at once (each a few cache calls, pipelined on one connection).</summary>
    public const int CacheInvalidationConcurrency = 32;

    /// <summary>Users the denormalization handles at once (each with its own parallel order writes).</summary>
    public const int DenormalizeConcurrency = 4;

    private static ILambdaFunction Wrap(IDynamoDBRecordHandler handler, ILoggerFactory loggerFactory, int maxConcurrency = 1)
    {
        var logger = loggerFactory.CreateLogger(handler.GetType().FullName ?? handler.GetType().Name);
        return new StreamTelemetry(
            DynamoDBStreamFunction.Create(handler, logger, new BatchProcessorOptions { DescribeError = StreamErrors.Describe, MaxConcurrency = maxConcurrency }),
            logger);
    }

    private sealed class CacheOwningFunction(ILambdaFunction inner, UserCache cache) : ILambdaFunction, IMetricDimensionSource, IAsyncDisposable
    {
        public IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> MetricDimensions =>
            (inner is IMetricDimensionSource source ? source.MetricDimensions : []).Concat(CacheTelemetry.MetricDimensions);

        public ValueTask<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) =>
            inner.InvokeAsync(payload, context, cancellationToken);

        public ValueTask DisposeAsync()
        {
            cache.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class OwningFunction(ILambdaFunction inner, IAmazonDynamoDB client, ILoggerFactory loggerFactory) : ILambdaFunction, IMetricDimensionSource, IAsyncDisposable
    {
        // The KMS operations too: a handler that reads a protected image (StreamChange.ReadNewAsync) unwraps keys.
        public IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> MetricDimensions =>
            (inner is IMetricDimensionSource source ? source.MetricDimensions : []).Concat(KmsTelemetry.MetricDimensions);

        public ValueTask<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) =>
            inner.InvokeAsync(payload, context, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (inner is IAsyncDisposable owned)
            {
                await owned.DisposeAsync().ConfigureAwait(false);
            }

            client.Dispose();
            loggerFactory.Dispose();
        }
    }
}
