using System.Collections.Concurrent;
using System.Text.Json;

namespace Serverless.Local.Tests.Support;

/// <summary>
/// A stand-in stream function: keeps every event it was invoked with and answers through <see cref="Behaviour"/>
/// (which may throw, to act as a function error).
/// </summary>
internal sealed class RecordingFunction
{
    private readonly ConcurrentQueue<Invocation> _invocations = new();

    /// <summary>Given the invocation (its records, and how many invocations came before), returns the response JSON.</summary>
    public Func<Invocation, string?> Behaviour { get; init; } = _ => null;

    public IReadOnlyList<Invocation> Invocations => _invocations.ToArray();

    public IReadOnlyList<JsonElement> AllRecords => Invocations.SelectMany(i => i.Records).ToList();

    public Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        using var doc = JsonDocument.Parse(payload);
        var invocation = new Invocation(
            _invocations.Count,
            doc.RootElement.Clone(),
            doc.RootElement.GetProperty("Records").EnumerateArray().Select(r => r.Clone()).ToList());
        _invocations.Enqueue(invocation);
        var response = Behaviour(invocation);
        return Task.FromResult<ReadOnlyMemory<byte>>(response is null ? ReadOnlyMemory<byte>.Empty : System.Text.Encoding.UTF8.GetBytes(response));
    }

    internal sealed record Invocation(int Index, JsonElement Event, IReadOnlyList<JsonElement> Records)
    {
        public IReadOnlyList<string> SortKeys => Records.Select(r => r.GetProperty("dynamodb").GetProperty("Keys").GetProperty("SK").GetProperty("S").GetString()!).ToList();

        public bool Contains(string sk) => SortKeys.Contains(sk);

        public string SequenceNumberOf(string sk) => Records
            .First(r => r.GetProperty("dynamodb").GetProperty("Keys").GetProperty("SK").GetProperty("S").GetString() == sk)
            .GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!;
    }
}
