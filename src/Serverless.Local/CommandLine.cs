using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.RegularExpressions;
using Serverless.Local.Invoke;
using Serverless.Local.Migrate;
using Serverless.Local.RotateKeys;
using Serverless.Local.Seed;
using Serverless.Local.Stats;
using Serverless.Local.Ttl;

namespace Serverless.Local;

/// <summary>
/// Runs the CLI with one convention for failures: a one-line reason on stderr and a non-zero exit code (usage errors
/// here, every other failure through each command's <see cref="GuardedAction"/>).
/// </summary>
public static partial class CommandLine
{
    public const int Failure = 1;
    public const int UsageError = 2;

    /// <summary>The project's one CLI: each command lives in its own folder and is listed here.</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("The serverless backend's local stack and tools. With no command, runs the local stack: serve, with the options below.")
        {
            ServeCommand.Create(),
            InvokeCommand.Create(),
            TokenCommand.Create(),
            SeedCommand.Create(),
            MigrateCommand.Create(),
            RotateKeysCommand.Create(),
            StatsCommand.Create(),
            SweepCommand.Create(),
        };
        return ServeCommand.AddTo(root);
    }

    /// <summary>How long a cancelled command (Ctrl+C, SIGTERM) may take to stop before the process ends.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    /// <param name="configuration">Where output and errors go (tests capture them); the console by default.</param>
    public static async Task<int> RunAsync(RootCommand root, string[] args, InvocationConfiguration? configuration = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        // Ctrl+C and SIGTERM cancel the command; it then has this long to finish before the process ends anyway.
        // System.CommandLine's two seconds are less than the local stack needs to stop DynamoDB Local and delete
        // its scratch database.
        configuration ??= new InvocationConfiguration { ProcessTerminationTimeout = StopTimeout };
        try
        {
            var parse = root.Parse(args);
            if (parse.Action is ParseErrorAction)
            {
                // System.CommandLine would print each error (some span several lines, e.g. the list of allowed values)
                // and the whole help; a usage error gets the one line every other failure gets.
                var reasons = string.Join(" ", parse.Errors.Select(e => Whitespace().Replace(e.Message.Trim(), " ")));
                await configuration.Error.WriteLineAsync($"error: {reasons} (see --help)");
                return UsageError;
            }

            return await parse.InvokeAsync(configuration, ct);
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

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
