using System.CommandLine;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Client;
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

    // Enough to spot the intended name; a shared account may hold hundreds.
    private const int ListedTables = 20;

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

    /// <param name="createdIfMissing">True for the command that fills a table (seed); the others need it to exist.</param>
    public static Option<string?> TableOption(bool createdIfMissing = false) => new("--table")
    {
        Description = $"Table name (default: ${TableNameVariable}, else \"{DefaultTableName}\"). "
            + (createdIfMissing ? "Created if missing." : "Must exist: a mistyped name is an error, never a new empty table."),
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
    /// <param name="requestTimeout">How long one request may take (30 s when null): longer for a command whose requests are
    /// slow by nature, such as <c>stats</c> (DynamoDB Local answers DescribeTable by counting the table).</param>
    public static TableTarget Resolve(string? endpointOption, string? tableOption, TimeSpan? requestTimeout = null)
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
        return new TableTarget(uri, table, CreateClient(uri, requestTimeout ?? TimeSpan.FromSeconds(30)));
    }

    /// <summary>
    /// Checks that the table exists, for the commands that read or change what is in it; returns its description, so a
    /// command that needs it does not ask again (DynamoDB Local answers DescribeTable by summing every item's size).
    /// </summary>
    /// <exception cref="CommandException">It does not; the message names the tables that do.</exception>
    public async Task<TableDescription> RequireTableAsync(CancellationToken ct)
    {
        try
        {
            return (await Client.DescribeTableAsync(new DescribeTableRequest { TableName = TableName }, ct)).Table;
        }
        catch (ResourceNotFoundException)
        {
            var tables = await TableNamesAsync(ct);
            var there = tables.Count == 0 ? "there are no tables there" : "tables there: " + string.Join(", ", tables.Take(ListedTables)) + (tables.Count > ListedTables ? $" and {tables.Count - ListedTables} more" : "");
            throw new CommandException(
                $"table {TableName} does not exist at {Endpoint}; {there}. Pass --table NAME or set {TableNameVariable} (the local stack's table is \"{DefaultTableName}\"; 'seed' creates one).");
        }
    }

    public void Dispose() => Client.Dispose();

    private async Task<List<string>> TableNamesAsync(CancellationToken ct)
    {
        var names = new List<string>();
        string? start = null;
        do
        {
            var page = await Client.ListTablesAsync(new ListTablesRequest { ExclusiveStartTableName = start }, ct);
            names.AddRange(page.TableNames ?? []);
            start = page.LastEvaluatedTableName;
        }
        while (start is not null);

        return names;
    }

    // The CLI's calls are interactive or bulk: a few retries and a bounded wait, then a clear error instead of a hang.
    private static IAmazonDynamoDB CreateClient(Uri endpoint, TimeSpan requestTimeout) =>
        DynamoDbClients.Create(endpoint.ToString(), DynamoDbLocalServer.LocalRegion, config =>
        {
            config.MaxErrorRetry = 3;
            config.Timeout = requestTimeout;
        });
}
