using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Local.Tests.Seeding;

/// <summary>
/// Entities as JSON for "came back unchanged" checks: records compare their maps and lists by reference, and
/// DynamoDB stores numbers normalized (0.00 comes back as 0), so decimals are compared by value.
/// </summary>
internal static class Json
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new DecimalByValue() }, WriteIndented = true };

    public static string Of<T>(T value) => JsonSerializer.Serialize(value, Options);

    private sealed class DecimalByValue : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDecimal();

        // "G29" drops trailing zeros: 0.00m and 0m both print "0".
        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.ToString("G29", CultureInfo.InvariantCulture));
    }
}
