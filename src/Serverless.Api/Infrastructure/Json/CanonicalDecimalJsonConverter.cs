using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Api.Infrastructure.Json;

/// <summary>
/// Money and other decimals as JSON numbers, written in their shortest form (no trailing zeros): the form DynamoDB
/// stores a number in, so the answer to a write is byte for byte what a later read answers (12.50 is answered 12.5,
/// 0.000 as 0). Reading is as strict as the default: a JSON number that fits a decimal, nothing else.
/// </summary>
public sealed class CanonicalDecimalJsonConverter : JsonConverter<decimal>
{
    // Dividing by one with the largest scale a decimal holds drops every trailing zero and keeps the value.
    private const decimal OneAtFullScale = 1.0000000000000000000000000000m;

    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var value)
            ? value
            // No message of our own: the serializer then writes its usual one ("could not be converted to"), with the
            // path, which JsonErrors turns into "must be a number." as for every other number field.
            : throw new JsonException();

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(Canonical(value));
    }

    public static decimal Canonical(decimal value) => value / OneAtFullScale;
}
