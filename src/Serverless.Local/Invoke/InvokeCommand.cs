using System.CommandLine;
using System.Text.Json;
using Serverless.Data.Table;
using Serverless.DynamoDbLocal;
using Serverless.Functions;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Runtime;
using Serverless.Local.EventSourceMapping;

namespace Serverless.Local.Invoke;

/// <summary>
/// The project's <c>sam local invoke</c>, without Docker: runs one function of template.yaml on an event through
/// the same handler boundary Lambda's bootstrap loop calls, prints exactly the response JSON on stdout and logs on stderr.
/// </summary>
public static class InvokeCommand
{
    public static Command Create()
    {
        var function = new Argument<string>("function") { Description = "The function's logical id in template.yaml (e.g. ApiFunction, AuditFunction)." };
        var eventFile = new Option<FileInfo>("--event", "-e") { Description = "The event JSON file.", Required = true };
        var template = new Option<FileInfo>("--template", "-t")
        {
            Description = "The SAM template.",
            DefaultValueFactory = _ => new FileInfo("template.yaml"),
        };
        var command = new Command(
            "invoke",
            "Invoke one function of template.yaml on an event, as sam local invoke does but without Docker. Uses DYNAMODB_ENDPOINT "
            + "when set, as it is: the table (TABLE_NAME, else the template's) is not created there, and nothing is asked of that "
            + "DynamoDB before the function asks (GET /health needs none; the local stack's DynamoDB Local has the table). Otherwise "
            + "starts an in-memory DynamoDB Local with the table for this call. Prints the response JSON on stdout, logs on stderr. "
            + "Exit code 2 for a missing or malformed event file, 1 when the function fails.")
        {
            function,
            eventFile,
            template,
        };
        command.SetAction(GuardedAction.Of("invoke", (parse, ct) => RunAsync(parse.GetValue(function)!, parse.GetValue(eventFile)!, parse.GetValue(template)!, ct)));
        return command;
    }

    private static async Task<int> RunAsync(string logicalId, FileInfo eventFile, FileInfo templateFile, CancellationToken ct)
    {
        byte[] payload;
        try
        {
            payload = await File.ReadAllBytesAsync(eventFile.FullName, ct);
            // Saved files often start with a UTF-8 byte order mark; it is not part of the JSON.
            using var _ = JsonDocument.Parse(payload.AsMemory(payload.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return await FailAsync($"cannot read event file '{eventFile}': {e.Message}", CommandLine.UsageError);
        }
        catch (JsonException e)
        {
            return await FailAsync($"event file '{eventFile}' is not valid JSON: {e.Message}", CommandLine.UsageError);
        }

        SamFunction definition;
        try
        {
            definition = await SamFunction.LoadAsync(templateFile.FullName, logicalId, ct);
        }
        catch (SamTemplateException e)
        {
            return await FailAsync(e.Message, CommandLine.UsageError);
        }

        await using var dynamo = await DynamoDbLocalServer.StartAsync(log: Console.Error, ct: ct);
        var tableName = Environment.GetEnvironmentVariable(LocalStack.TableNameVariable) is { Length: > 0 } name
            ? name
            : definition.Environment.GetValueOrDefault(LocalStack.TableNameVariable, new TableOptions().TableName);
        if (dynamo.Owned)
        {
            // A fresh in-memory emulator has no table. An endpoint someone else runs is used as it is, as sam local
            // invoke would use it: creating a table there would hide a mistyped name.
            using var client = dynamo.CreateClient();
            await TableSetup.EnsureCreatedAsync(client, tableName, ct);
        }

        ApplyEnvironment(definition, dynamo.ServiceUrl, tableName);

        var stderr = Console.OpenStandardError();
        var options = new FunctionOptions { ConfigureLogging = logging => logging.Output = stderr };
        var lambda = await FunctionCatalog.Registry.CreateAsync(definition.Handler, options, ct);
        try
        {
            var context = LambdaContext.ForLocalInvocation(ProcessEnvironment.Instance, TimeProvider.System, definition.Timeout);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(definition.Timeout);
            ReadOnlyMemory<byte> response;

            // Each invoke is a fresh process: its one invocation is a cold start, as Lambda would log it.
            using var logScope = LambdaLogContext.Begin(context.AwsRequestId, context.TraceId, coldStart: true);
            try
            {
                response = await lambda.InvokeAsync(payload, context, deadline.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // What Lambda reports for a failed invocation: the error type and message, never the stack on stdout.
                var error = JsonSerializer.Serialize(
                    new InvokeError(e.GetType().Name, e.Message),
                    InvokeJsonContext.Default.InvokeError);
                await Console.Out.WriteLineAsync(error);
                return CommandLine.Failure;
            }

            await using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(response, ct);
            await stdout.WriteAsync("\n"u8.ToArray(), ct);
            return 0;
        }
        finally
        {
            if (lambda is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    /// <summary>Sets <see cref="FunctionEnvironment"/> in this process, where the function's host reads it.</summary>
    private static void ApplyEnvironment(SamFunction definition, Uri endpoint, string tableName)
    {
        foreach (var (key, value) in FunctionEnvironment(definition, endpoint, tableName, Environment.GetEnvironmentVariable))
        {
            Environment.SetEnvironmentVariable(key, value);
        }
    }

    /// <summary>
    /// The variables invoke gives a function: its template environment (where <paramref name="inherited"/> does not
    /// already set a variable), then what points it at this call's DynamoDB and table, and the Development environment
    /// unless <paramref name="inherited"/> names one. Public so a test can build the
    /// function with exactly this configuration without changing its own process environment.
    /// </summary>
    public static IReadOnlyDictionary<string, string> FunctionEnvironment(
        SamFunction definition, Uri endpoint, string tableName, Func<string, string?> inherited)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(inherited);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in definition.Environment)
        {
            if (inherited(key) is null)
            {
                variables[key] = value;
            }
        }

        variables[DynamoDbLocalOptions.EndpointVariable] = endpoint.ToString();
        variables[LocalStack.TableNameVariable] = tableName;
        variables["Table__TableName"] = tableName;
        // A local invocation is development, as sam local's env.json makes it, so the API's development keys, issuer,
        // audience and API id fill what the template leaves to the deployed stack; the developer's own
        // DOTNET_ENVIRONMENT (or ASPNETCORE_ENVIRONMENT) wins, to try the deployed configuration.
        if (LocalEnvironment.IsUnset(inherited))
        {
            variables[LocalEnvironment.DotnetVariable] = LocalEnvironment.Development;
        }

        variables["AWS_LAMBDA_FUNCTION_NAME"] = definition.LogicalId;
        variables["_HANDLER"] = definition.Handler;
        return variables;
    }

    private static async Task<int> FailAsync(string message, int exitCode)
    {
        await Console.Error.WriteLineAsync("error: invoke: " + CommandLine.FirstLine(message));
        return exitCode;
    }
}

internal sealed record InvokeError(string ErrorType, string ErrorMessage);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(InvokeError))]
internal sealed partial class InvokeJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
