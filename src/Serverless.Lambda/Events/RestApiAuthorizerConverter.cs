using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Lambda.Events;

/// <summary>Splits the free-form REST authorizer object into its claims and the other context values.</summary>
public sealed class RestApiAuthorizerConverter : JsonConverter<RestApiAuthorizer>
{
    public override RestApiAuthorizer? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected the authorizer object.");
        }

        var authorizer = new RestApiAuthorizer();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (name == "claims" && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var claim = reader.GetString()!;
                    reader.Read();
                    if (LenientStringDictionaryConverter.ReadValueAsString(ref reader) is { } claimValue)
                    {
                        authorizer.Claims[claim] = claimValue;
                    }
                }
            }
            else if (LenientStringDictionaryConverter.ReadValueAsString(ref reader) is { } value)
            {
                authorizer.Context[name] = value;
            }
        }

        return authorizer;
    }

    public override void Write(Utf8JsonWriter writer, RestApiAuthorizer value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, text) in value.Context)
        {
            writer.WriteString(name, text);
        }

        if (value.Claims.Count > 0)
        {
            writer.WriteStartObject("claims");
            foreach (var (name, text) in value.Claims)
            {
                writer.WriteString(name, text);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
