namespace Serverless.Testing;

/// <summary>Files of the repository itself (template.yaml, README.md, .ci/run, src/...), for tests that read or run them.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootDirectory = new(FindRoot);

    /// <summary>The repository's root (where Serverless.sln is), found upward from the test binaries.</summary>
    public static string Root() => RootDirectory.Value;

    /// <summary>A path inside the repository, e.g. <c>Of("src", "Serverless.Local")</c>.</summary>
    public static string Of(params string[] parts) => Path.Combine([Root(), .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Serverless.sln not found above " + AppContext.BaseDirectory);
    }
}
