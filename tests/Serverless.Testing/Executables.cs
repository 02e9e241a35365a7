using System.Diagnostics;

namespace Serverless.Testing;

/// <summary>Tools a test runs when the machine has them (make, cfn-lint).</summary>
public static class Executables
{
    /// <summary>The tool's path on PATH, or null when the machine lacks it.</summary>
    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs the tool from the repository's root to its end, keeping what it printed on each stream.</summary>
    public static async Task<ToolRun> RunInRepositoryAsync(string executable, IEnumerable<string> arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(executable, arguments)
        {
            WorkingDirectory = RepoPaths.Root(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        // Both at once: a tool that fills one pipe while the other is read would never finish.
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return new ToolRun(process.ExitCode, await output, await errors);
    }
}

public sealed record ToolRun(int ExitCode, string Output, string Errors);
