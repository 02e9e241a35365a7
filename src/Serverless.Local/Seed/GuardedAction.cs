using System.CommandLine;
using System.Net.Http;
using System.Net.Sockets;
using Amazon.Runtime;
using Microsoft.AspNetCore.Connections;
using Serverless.Data.Items;
using Serverless.Data.Privacy;
using Serverless.Data.Tools.Migrations;
using Serverless.Data.Writing;
using Serverless.DynamoDbLocal;
using Serverless.Local.EventSourceMapping;

namespace Serverless.Local;

/// <summary>
/// The failure convention of every command: a one-line reason on stderr ("error: COMMAND: ...") and exit code 1,
/// for every failure that is the environment's or the data's fault rather than a bug. The reason says what was
/// wrong and how to put it right; a stack trace is left for bugs.
/// </summary>
public static class GuardedAction
{
    /// <summary>What a command that resumes (seed, migrate, rotate-keys) says when it is stopped midway.</summary>
    public const string ResumableCancel = "cancelled; run the same command again to continue (seeding is idempotent; migrations and key rotation resume from their checkpoint).";

    /// <param name="cancelled">The line for Ctrl+C or SIGTERM before the command finished ("cancelled." when null).</param>
    /// <param name="cancelledExitCode">The exit code then: a failure unless stopping is the command's normal end.</param>
    public static Func<ParseResult, CancellationToken, Task<int>> Of(
        string commandName, Func<ParseResult, CancellationToken, Task<int>> action, string? cancelled = null, int cancelledExitCode = CommandLine.Failure) =>
        async (parse, ct) =>
        {
            try
            {
                return await action(parse, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"{(cancelledExitCode == 0 ? "" : "error: ")}{commandName}: {cancelled ?? "cancelled."}");
                return cancelledExitCode;
            }
            catch (Exception e) when (Describe(e, parse, commandName) is { } reason)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {commandName}: {CommandLine.FirstLine(reason)}");
                return CommandLine.Failure;
            }
        };

    private static string? Describe(Exception e, ParseResult parse, string commandName) => e switch
    {
        CommandException or BatchWriteException or MigrationException or InvalidItemException or DynamoDbLocalException or SamTemplateException or KeyUnavailableException => e.Message,
        _ when ConnectionFailure(e) is { } reason => Unreachable(parse, commandName, reason),
        IOException { InnerException: AddressInUseException } => $"{e.Message} Is a local stack already running? Stop it, or choose other ports (--api-port, --dynamodb-port; 0 picks a free one).",
        AmazonServiceException service => $"DynamoDB refused the request ({service.ErrorCode ?? service.StatusCode.ToString()}): {service.Message}",
        // The SDK reports its own request timeout this way (after its retries).
        TimeoutException => $"DynamoDB{At(EndpointOf(parse))} did not answer in time (after retries); is it overloaded? {e.Message}",
        AmazonClientException => "DynamoDB client error: " + e.Message,
        _ => null,
    };

    /// <summary>What kept the request from reaching the endpoint ("connection refused"), or null when it did reach it.</summary>
    private static string? ConnectionFailure(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused",
                        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "host not found",
                        SocketError.TimedOut => "connection timed out",
                        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                        _ => socket.Message,
                    };
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError, InnerException: null } http:
                    return http.Message;
            }
        }

        return null;
    }

    private static string Unreachable(ParseResult parse, string commandName, string reason)
    {
        var endpoint = EndpointOf(parse);
        var fix = HasEndpointOption(parse)
            ? $"start the local stack with 'dotnet run --project src/Serverless.Local' (DynamoDB Local on http://127.0.0.1:8000), or point --endpoint or {DynamoDbLocalOptions.EndpointVariable} at a DynamoDB that runs"
            : $"start it, or unset {DynamoDbLocalOptions.EndpointVariable} and {commandName} starts DynamoDB Local itself";
        return $"cannot reach DynamoDB{At(endpoint)} ({reason}); {fix}.";
    }

    private static string At(string? endpoint) => endpoint is null ? "" : " at " + endpoint;

    /// <summary>The endpoint the command used: its --endpoint, else DYNAMODB_ENDPOINT (null: it started its own).</summary>
    private static string? EndpointOf(ParseResult parse)
    {
        var option = HasEndpointOption(parse) ? parse.GetValue<string?>(TableTarget.EndpointOptionName) : null;
        return TableTarget.EndpointFrom(option);
    }

    private static bool HasEndpointOption(ParseResult parse) =>
        parse.CommandResult.Command.Options.Any(o => o.Name == TableTarget.EndpointOptionName);
}
