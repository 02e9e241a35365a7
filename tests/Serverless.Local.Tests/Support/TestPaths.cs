using System.Text.Json;

namespace Serverless.Local.Tests.Support;

internal static class TestPaths
{
    public static string TestData(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "TestData", .. parts]);

    /// <summary>The repository's root (where Serverless.sln is), found upward from the test binaries.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>A file of the repository itself, e.g. <c>Repo("template.yaml")</c>.</summary>
    public static string Repo(params string[] parts) => Path.Combine([RepoRoot, .. parts]);

    /// <summary>Reads a sample as text first: several samples start with a UTF-8 BOM, which JSON byte parsing rejects.</summary>
    public static JsonDocument Sample(string name) => JsonDocument.Parse(File.ReadAllText(TestData("samples", name)));

    /// <summary>Property names of an object, in document order.</summary>
    public static IReadOnlyList<string> Keys(JsonElement obj) => obj.EnumerateObject().Select(p => p.Name).ToList();

    private static string FindRepoRoot()
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
