using System.Collections.Concurrent;
using System.Text.Json;

namespace Serverless.Local.EventSourceMapping;

/// <summary>Where a mapping sends the batches it gives up on (SQS or SNS in AWS; a file or memory here).</summary>
public interface IOnFailureDestination
{
    Task SendAsync(OnFailureRecord record, CancellationToken ct);
}

/// <summary>Appends one JSON document per line, so a developer can <c>tail -f</c> or <c>jq</c> the failures.</summary>
public sealed class JsonLinesFileDestination : IOnFailureDestination
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public JsonLinesFileDestination(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    public async Task SendAsync(OnFailureRecord record, CancellationToken ct)
    {
        var line = JsonSerializer.Serialize(record, EventSourceMappingJsonContext.Default.OnFailureRecord) + "\n";
        await _gate.WaitAsync(ct);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            await File.AppendAllTextAsync(Path, line, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads back every record written so far.</summary>
    public static async Task<IReadOnlyList<OnFailureRecord>> ReadAllAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var lines = await File.ReadAllLinesAsync(path, ct);
        return lines.Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize(l, EventSourceMappingJsonContext.Default.OnFailureRecord)!)
            .ToList();
    }
}

/// <summary>Keeps records in memory, as serialized JSON too, for tests that check the wire shape.</summary>
public sealed class InMemoryOnFailureDestination : IOnFailureDestination
{
    private readonly ConcurrentQueue<string> _json = new();
    private readonly ConcurrentQueue<OnFailureRecord> _records = new();

    public IReadOnlyList<OnFailureRecord> Records => _records.ToArray();

    public IReadOnlyList<string> Json => _json.ToArray();

    public Task SendAsync(OnFailureRecord record, CancellationToken ct)
    {
        _json.Enqueue(JsonSerializer.Serialize(record, EventSourceMappingJsonContext.Default.OnFailureRecord));
        _records.Enqueue(record);
        return Task.CompletedTask;
    }
}
