using System.CommandLine;
using Serverless.DynamoDbLocal;

namespace Serverless.Local;

/// <summary>The local stack: DynamoDB Local (unless DYNAMODB_ENDPOINT is set) with the table, running until Ctrl+C.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--dynamodb-port") { Description = "Port for DynamoDB Local (0 picks a free one).", DefaultValueFactory = _ => 8000 };
        var persist = new Option<string?>("--data") { Description = "Keep DynamoDB Local's data in this folder instead of memory." };
        var command = new Command("serve", "Run the local stack: starts DynamoDB Local (in memory) unless DYNAMODB_ENDPOINT is set, creates the table, and runs until Ctrl+C.")
        {
            port,
            persist,
        };
        command.SetAction(async (parse, ct) =>
        {
            var dataDir = parse.GetValue(persist);
            var options = new DynamoDbLocalOptions
            {
                Port = parse.GetValue(port),
                InMemory = dataDir is null,
                DataDirectory = dataDir,
            };
            await using var stack = await LocalStack.StartAsync(options, Console.Error, ct);
            await Console.Error.WriteLineAsync($"Local stack ready. DynamoDB: {stack.DynamoDb.ServiceUrl} table: {stack.TableName}. Ctrl+C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: the normal way out.
            }

            return 0;
        });
        return command;
    }
}
