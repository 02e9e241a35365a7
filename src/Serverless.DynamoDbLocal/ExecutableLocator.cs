namespace Serverless.DynamoDbLocal;

internal static class ExecutableLocator
{
    /// <summary>Finds a program on PATH the way a shell would, so a missing tool is named before anything starts.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static string Require(string name, string installHint) =>
        Find(name) ?? throw new DynamoDbLocalException($"DynamoDB Local needs '{name}' on PATH and it was not found. Install it: {installHint}");
}
