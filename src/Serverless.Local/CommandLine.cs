using System.CommandLine;
using Serverless.DynamoDbLocal;

namespace Serverless.Local;

/// <summary>Runs the CLI with one convention for failures: a one-line reason on stderr and a non-zero exit code.</summary>
public static class CommandLine
{
    public const int Failure = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        try
        {
            return await root.Parse(args).InvokeAsync();
        }
        catch (DynamoDbLocalException e)
        {
            await Console.Error.WriteLineAsync("error: " + FirstLine(e.Message));
            return Failure;
        }
        catch (OperationCanceledException)
        {
            return Failure;
        }
    }

    public static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }
}
