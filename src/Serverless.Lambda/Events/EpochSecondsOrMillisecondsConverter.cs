using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Lambda.Events;

/// <summary>
/// DynamoDB Streams sends <c>ApproximateCreationDateTime</c> in epoch seconds (possibly fractional), while a
/// table configured for millisecond precision, and some emulators, send milliseconds. The unit is told apart by
/// magnitude: 1e11 seconds lies in the year 5138, 1e11 milliseconds in 1973, so no real timestamp is ambiguous.
/// Written back as epoch seconds, the documented form.
/// </summary>
public sealed class EpochSecondsOrMillisecondsConverter : JsonConverter<DateTimeOffset>
{
    private const double MillisecondsThreshold = 1e11;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        double value = reader.TokenType switch
        {
            JsonTokenType.Number => reader.GetDouble(),
            JsonTokenType.String when double.TryParse(reader.GetString(), System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw new JsonException("ApproximateCreationDateTime must be an epoch number."),
        };

        var milliseconds = Math.Abs(value) >= MillisecondsThreshold ? value : value * 1000d;
        return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(milliseconds));
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        var milliseconds = value.ToUnixTimeMilliseconds();
        if (milliseconds % 1000 == 0)
        {
            writer.WriteNumberValue(milliseconds / 1000);
        }
        else
        {
            writer.WriteNumberValue(milliseconds / 1000d);
        }
    }
}
