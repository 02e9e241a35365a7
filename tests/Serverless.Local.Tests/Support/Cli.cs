using System.CommandLine;
using Xunit;

namespace Serverless.Local.Tests.Support;

/// <summary>Runs a command in-process the way the CLI does, capturing what it prints.</summary>
internal static class Cli
{
    public static async Task<CliResult> RunAsync(Command command, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand("test") { command };
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs the real CLI in-process: every command, through the same entry point and failure handling as the executable.</summary>
    public static Task<CliResult> RunRootAsync(params string[] args) => RunRootAsync(TestContext.Current.CancellationToken, args);

    /// <summary>The same, stopped by <paramref name="ct"/> as Ctrl+C or SIGTERM stops the executable.</summary>
    public static Task<CliResult> RunRootAsync(CancellationToken ct, params string[] args) => RunRootAsync(new StringWriter(), ct, args);

    /// <summary>The same, with the command's standard error written to <paramref name="error"/>.</summary>
    public static async Task<CliResult> RunRootAsync(StringWriter error, CancellationToken ct, params string[] args)
    {
        var output = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        var exitCode = await CommandLine.RunAsync(CommandLine.CreateRoot(), args, configuration, ct);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}

internal sealed record CliResult(int ExitCode, string Output, string Error);
