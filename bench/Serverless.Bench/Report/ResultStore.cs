using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Bench.Report;

/// <summary>Each section's result as JSON in the results folder, so sections can run apart and the report joins them.</summary>
public static class ResultStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    public static async Task SaveAsync(string directory, SectionResult result, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        await using var file = File.Create(Path.Combine(directory, result.Key + ".json"));
        await JsonSerializer.SerializeAsync(file, result, Json, ct);
    }

    public static async Task<SectionResult?> LoadAsync(string directory, string key, CancellationToken ct)
    {
        var path = Path.Combine(directory, key + ".json");
        if (!File.Exists(path))
        {
            return null;
        }

        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<SectionResult>(file, Json, ct);
    }
}
