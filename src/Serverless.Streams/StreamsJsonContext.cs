using System.Text.Json.Serialization;

namespace Serverless.Streams;

/// <summary>Source-generated JSON for what this project serializes itself (Native AOT: no reflection).</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class StreamsJsonContext : JsonSerializerContext;
