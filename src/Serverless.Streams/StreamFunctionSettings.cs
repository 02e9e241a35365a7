using System.Globalization;
using System.Security.Cryptography;
using Serverless.Data.Caching;
using Serverless.Data.Client;
using Serverless.Data.Table;
using Serverless.Lambda.Runtime;
using Serverless.Streams.Denormalize;

namespace Serverless.Streams;

/// <summary>
/// The stream functions' configuration, read from the function's environment (template.yaml's Environment):
/// <list type="bullet">
/// <item><c>TABLE_NAME</c> (or <c>Table__TableName</c>, the API's name for it): the table; default <c>Serverless</c>.</item>
/// <item><c>AUDIT_RETENTION_DAYS</c>: how long audit entries live (their ttl); default 365.</item>
/// <item><c>DENORMALIZE_MAX_PARALLEL_WRITES</c>: BatchExecuteStatement calls (of up to 25 order updates) in flight per record; default 4.</item>
/// <item><c>DYNAMODB_ENDPOINT</c>: a DynamoDB Local endpoint; unset on AWS.</item>
/// <item><c>Cache__Endpoint</c>, <c>Cache__KeyPrefix</c>: the user cache the CacheInvalidation function keeps right (the API's names for them); unset: no cache.</item>
/// </list>
/// </summary>
public sealed record StreamFunctionSettings
{
    public const string TableNameVariable = "TABLE_NAME";
    public const string TableNameConfigurationVariable = "Table__TableName";
    public const string AuditRetentionDaysVariable = "AUDIT_RETENTION_DAYS";
    public const string MaxParallelWritesVariable = "DENORMALIZE_MAX_PARALLEL_WRITES";
    public const string EndpointVariable = DynamoDbClients.EndpointVariable;
    public const string RegionVariable = "AWS_REGION";

    public required TableOptions Table { get; init; }

    public DenormalizeOptions Denormalize { get; init; } = new();

    /// <summary>DynamoDB Local's URL, when running locally.</summary>
    public string? ServiceUrl { get; init; }

    public string Region { get; init; } = DynamoDbClients.DefaultRegion;

    /// <summary>The user cache (off unless <see cref="CacheOptions.EndpointVariable"/> is set).</summary>
    public CacheOptions Cache { get; init; } = new();

    /// <exception cref="InvalidOperationException">A variable is set to something unusable (fails the function's init, loudly).</exception>
    public static StreamFunctionSettings FromEnvironment(IRuntimeEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var defaults = new TableOptions();
        var table = new TableOptions
        {
            TableName = Variable(environment, TableNameVariable) ?? Variable(environment, TableNameConfigurationVariable) ?? defaults.TableName,
            AuditRetention = TimeSpan.FromDays(PositiveInt(environment, AuditRetentionDaysVariable) ?? 365),
            // The stream functions page through queries inside one invocation and never hand a cursor to anyone, so
            // a key of their own (random per process) is all the repositories need; it protects nothing else.
            CursorSigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        table.Validate();

        var denormalize = new DenormalizeOptions();
        return new StreamFunctionSettings
        {
            Table = table,
            Denormalize = denormalize with
            {
                MaxParallelWrites = PositiveInt(environment, MaxParallelWritesVariable) ?? denormalize.MaxParallelWrites,
                PageSize = Math.Min(denormalize.PageSize, table.MaxPageLimit),
            },
            ServiceUrl = Variable(environment, EndpointVariable),
            Region = Variable(environment, RegionVariable) ?? DynamoDbClients.DefaultRegion,
            Cache = new CacheOptions
            {
                Endpoint = Variable(environment, CacheOptions.EndpointVariable),
                KeyPrefix = Variable(environment, CacheOptions.KeyPrefixVariable) ?? "",
            },
        };
    }

    private static string? Variable(IRuntimeEnvironment environment, string name) =>
        environment.GetVariable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static int? PositiveInt(IRuntimeEnvironment environment, string name)
    {
        if (Variable(environment, name) is not { } text)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new InvalidOperationException($"{name} must be a positive whole number, got '{text}'.");
    }
}
