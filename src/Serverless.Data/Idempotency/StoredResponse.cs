namespace Serverless.Data.Idempotency;

/// <summary>What a completed request answered, as replayed: its status, the headers that matter and its body.</summary>
public sealed record StoredResponse(int StatusCode, IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Body)
{
    /// <summary>The response headers a replay repeats; every other header is the replaying request's own.</summary>
    public static IReadOnlyList<string> ReplayedHeaders { get; } = ["Location", "Content-Type", "ETag"];
}
