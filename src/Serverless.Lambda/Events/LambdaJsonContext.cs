using System.Text.Json.Serialization;

namespace Serverless.Lambda.Events;

/// <summary>Source-generated serialization of every event and response shape, so Native AOT needs no reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HttpApiRequest))]
[JsonSerializable(typeof(HttpApiResponse))]
[JsonSerializable(typeof(RestApiRequest))]
[JsonSerializable(typeof(RestApiResponse))]
[JsonSerializable(typeof(AlbRequest))]
[JsonSerializable(typeof(AlbResponse))]
[JsonSerializable(typeof(DynamoDBEvent))]
[JsonSerializable(typeof(StreamsEventResponse))]
public sealed partial class LambdaJsonContext : JsonSerializerContext;
