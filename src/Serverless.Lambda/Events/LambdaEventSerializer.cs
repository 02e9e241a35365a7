using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Serverless.Lambda.Events;

/// <summary>Reads event payloads the way Lambda hands them over: UTF-8 bytes, possibly with a byte order mark.</summary>
public static class LambdaEventSerializer
{
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8Json, JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.Deserialize(Utf8Bom.Skip(utf8Json), typeInfo)
        ?? throw new JsonException($"The event payload is null, expected {typeof(T).Name}.");

    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
}
