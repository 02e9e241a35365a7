using System.Text.Json;

namespace Serverless.Local.Tests.Support;

internal static class TestPaths
{
    public static string TestData(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "TestData", .. parts]);

    /// <summary>Reads a sample as text first: several samples start with a UTF-8 BOM, which JSON byte parsing rejects.</summary>
    public static JsonDocument Sample(string name) => JsonDocument.Parse(File.ReadAllText(TestData("samples", name)));

    /// <summary>Property names of an object, in document order.</summary>
    public static IReadOnlyList<string> Keys(JsonElement obj) => obj.EnumerateObject().Select(p => p.Name).ToList();
}
