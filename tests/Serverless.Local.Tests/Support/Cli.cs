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
    public static async Task<CliResult> RunRootAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        var exitCode = await CommandLine.RunAsync(CommandLine.CreateRoot(), args, configuration, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}

internal sealed record CliResult(int ExitCode, string Output, string Error);
