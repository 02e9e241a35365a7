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
}
