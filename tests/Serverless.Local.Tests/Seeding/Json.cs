using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Serverless.Local.Tests.Seeding;

/// <summary>
/// Entities as JSON for "came back unchanged" checks: records compare their maps and lists by reference, and
/// DynamoDB stores numbers normalized (0.00 comes back as 0), so decimals are compared by value, and maps
/// come back in any order, so properties are sorted.
/// </summary>
internal static class Json
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new DecimalByValue() }, WriteIndented = true };

    /// <summary>Object properties sorted: a map's entry order is not part of its value (DynamoDB does not keep it).</summary>
    public static string Of<T>(T value) => Sorted(JsonSerializer.SerializeToNode(value, Options))?.ToJsonString(Options) ?? "null";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value?.DeepClone())))),
        JsonArray array => new JsonArray([.. array.Select(e => Sorted(e?.DeepClone()))]),
        _ => node?.DeepClone(),
    };

    private sealed class DecimalByValue : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDecimal();

        // "G29" drops trailing zeros: 0.00m and 0m both print "0".
        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.ToString("G29", CultureInfo.InvariantCulture));
    }
}
