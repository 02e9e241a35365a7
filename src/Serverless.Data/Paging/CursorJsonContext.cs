using System.Text.Json.Serialization;

namespace Serverless.Data.Paging;

/// <summary>What a cursor carries before it is signed: the query it belongs to and where to continue.</summary>
internal sealed record CursorDocument(
    [property: JsonPropertyName("q")] string Query,
    [property: JsonPropertyName("p")] Dictionary<string, string> Position);

/// <summary>Source-generated so cursors work under Native AOT.</summary>
[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CursorDocument))]
internal sealed partial class CursorJsonContext : JsonSerializerContext;
