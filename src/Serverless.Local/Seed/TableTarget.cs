using System.CommandLine;
using System.Net;
using Amazon.DynamoDBv2;
using Serverless.DynamoDbLocal;

namespace Serverless.Local;

/// <summary>
/// The table the data commands (seed, migrate, stats) work on: <c>--endpoint</c>, else <c>DYNAMODB_ENDPOINT</c>;
/// <c>--table</c>, else <c>TABLE_NAME</c>, else "Serverless". These commands never start DynamoDB Local: an
/// in-memory emulator that lives only as long as one command would be seeded, migrated or measured for nothing.
/// </summary>
public sealed class TableTarget : IDisposable
{
    public const string DefaultTableName = "Serverless";
    public const string TableNameVariable = "TABLE_NAME";

    private TableTarget(Uri endpoint, string tableName, IAmazonDynamoDB client)
    {
        Endpoint = endpoint;
        TableName = tableName;
        Client = client;
    }

    public Uri Endpoint { get; }

    public string TableName { get; }

    public IAmazonDynamoDB Client { get; }

    public const string EndpointOptionName = "--endpoint";

    public static Option<string?> EndpointOption() => new(EndpointOptionName)
    {
        Description = $"DynamoDB endpoint URL (default: ${DynamoDbLocalOptions.EndpointVariable}). Nothing is started: point it at a running stack, e.g. the one 'dotnet run --project src/Serverless.Local' starts (http://127.0.0.1:8000).",
    };

    public static Option<string?> TableOption() => new("--table")
    {
        Description = $"Table name (default: ${TableNameVariable}, else \"{DefaultTableName}\"). Created if missing.",
    };

    /// <summary>The endpoint as given: <paramref name="endpointOption"/>, else <c>DYNAMODB_ENDPOINT</c>; null when neither is set.</summary>
    public static string? EndpointFrom(string? endpointOption)
    {
        var endpoint = string.IsNullOrWhiteSpace(endpointOption)
            ? Environment.GetEnvironmentVariable(DynamoDbLocalOptions.EndpointVariable)
            : endpointOption;
        return string.IsNullOrWhiteSpace(endpoint) ? null : endpoint.Trim();
    }

    /// <exception cref="CommandException">No endpoint was given, or it is not an absolute http(s) URL.</exception>
    public static TableTarget Resolve(string? endpointOption, string? tableOption)
    {
        var endpoint = EndpointFrom(endpointOption)
            ?? throw new CommandException(
                $"no DynamoDB to work on: pass --endpoint URL or set {DynamoDbLocalOptions.EndpointVariable} (start the local stack with 'dotnet run --project src/Serverless.Local', then use http://127.0.0.1:8000).");

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CommandException($"The endpoint '{endpoint}' is not an absolute http(s) URL (e.g. http://127.0.0.1:8000).");
        }

        var table = !string.IsNullOrWhiteSpace(tableOption)
            ? tableOption.Trim()
            : Environment.GetEnvironmentVariable(TableNameVariable) is { Length: > 0 } fromEnv ? fromEnv : DefaultTableName;
        return new TableTarget(uri, table, CreateClient(uri));
    }

    public void Dispose() => Client.Dispose();

    private static AmazonDynamoDBClient CreateClient(Uri endpoint)
    {
        var config = new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), MaxErrorRetry = 3, Timeout = TimeSpan.FromSeconds(30) };
        if (IsLocal(endpoint))
        {
            // DynamoDB Local accepts any credentials (started with -sharedDb, every client sees the same tables).
            config.AuthenticationRegion = DynamoDbLocalServer.LocalRegion;
            return new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config);
        }

        // A real endpoint: the SDK's usual credential and region chain (environment, profile, instance role).
        return new AmazonDynamoDBClient(config);
    }

    private static bool IsLocal(Uri endpoint) =>
        endpoint.IsLoopback
        || (IPAddress.TryParse(endpoint.Host, out var ip) && IPAddress.IsLoopback(ip))
        || endpoint.Host.Equals("host.docker.internal", StringComparison.OrdinalIgnoreCase);
}
