using System.Text.Json;

namespace Serverless.Lambda.AspNetCore;

/// <summary>
/// Tells the three HTTP payloads apart from their top-level shape, without deserializing: HTTP API 2.0 says
/// <c>"version": "2.0"</c>, ALB events carry <c>requestContext.elb</c>, everything else is the 1.0 proxy format.
/// </summary>
internal static class HttpPayloadDetector
{
    public static LambdaHttpPayloadKind Detect(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The event is not a JSON object, so not an API Gateway or load balancer request.");
        }

        var isAlb = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("version"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("2.0"u8))
                {
                    return LambdaHttpPayloadKind.HttpApiV2;
                }
            }
            else if (reader.ValueTextEquals("requestContext"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    isAlb |= HasProperty(ref reader, "elb"u8);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return isAlb ? LambdaHttpPayloadKind.ApplicationLoadBalancer : LambdaHttpPayloadKind.RestApiV1;
    }

    /// <summary>Reads to the end of the current object, telling whether it had the property.</summary>
    private static bool HasProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        var found = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            found |= reader.ValueTextEquals(name);
            reader.Read();
            reader.Skip();
        }

        return found;
    }
}
