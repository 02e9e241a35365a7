using System.CommandLine;
using System.Net.Sockets;
using Amazon.Runtime;
using Serverless.Data.Mapping;
using Serverless.Data.Migrations;
using Serverless.Data.Seeding;

namespace Serverless.Local;

/// <summary>
/// The failure convention of the data commands: a one-line reason on stderr ("error: ...") and exit code 1,
/// for every failure that is the environment's or the data's fault rather than a bug.
/// </summary>
public static class GuardedAction
{
    public static Func<ParseResult, CancellationToken, Task<int>> Of(string commandName, Func<ParseResult, CancellationToken, Task<int>> action) =>
        async (parse, ct) =>
        {
            try
            {
                return await action(parse, ct);
            }
            catch (Exception e) when (Describe(e, ct) is { } reason)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {commandName}: {CommandLine.FirstLine(reason)}");
                return CommandLine.Failure;
            }
        };

    private static string? Describe(Exception e, CancellationToken ct) => e switch
    {
        CommandException or BatchWriteException or MigrationException or InvalidItemException => e.Message,
        OperationCanceledException when ct.IsCancellationRequested => "cancelled; run the same command again to continue (seeding is idempotent, migrations resume from their checkpoint).",
        AmazonServiceException { InnerException: HttpRequestException or SocketException } => "cannot reach DynamoDB: " + e.InnerException!.Message,
        AmazonServiceException service => $"DynamoDB refused the request ({service.ErrorCode ?? service.StatusCode.ToString()}): {service.Message}",
        HttpRequestException or SocketException => "cannot reach DynamoDB: " + e.Message,
        // The SDK reports its own request timeout this way (after its retries).
        TimeoutException => "DynamoDB did not answer in time (after retries); is the endpoint overloaded? " + e.Message,
        AmazonClientException => "DynamoDB client error: " + e.Message,
        _ => null,
    };
}
