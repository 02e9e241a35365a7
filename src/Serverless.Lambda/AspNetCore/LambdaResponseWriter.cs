using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Serverless.Lambda.AspNetCore;

/// <summary>
/// Writes the response document straight from the response features in the request's format (no intermediate
/// response object or header dictionaries): HTTP API 2.0 gets comma-joined headers plus <c>cookies</c>; REST 1.0 gets
/// both <c>headers</c> and <c>multiValueHeaders</c>; ALB gets the one collection of the mode it asked in.
/// </summary>
internal static class LambdaResponseWriter
{
    // The document is read by API Gateway or the load balancer, never embedded in HTML, so HTML-sensitive characters
    // need no escaping; escaping them would only make bodies larger.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ReadOnlyMemory<byte> Write(LambdaHttpFeatures features)
    {
        var headers = features.ResponseHeaders;
        var body = features.ResponseBuffer.TryGetBuffer(out var segment) ? segment.AsSpan() : features.ResponseBuffer.ToArray();
        var buffer = new ArrayBufferWriter<byte>(512 + (body.Length * 4 / 3));
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("statusCode"u8, features.StatusCode);
            switch (features.Kind)
            {
                case LambdaHttpPayloadKind.HttpApiV2:
                    WriteHttpApiHeaders(json, headers);
                    break;
                case LambdaHttpPayloadKind.RestApiV1:
                    WriteSingleValueHeaders(json, headers);
                    WriteMultiValueHeaders(json, headers);
                    break;
                default:
                    json.WriteString("statusDescription"u8, StatusDescription(features.StatusCode));
                    if (features.AlbMultiValueHeaders)
                    {
                        WriteMultiValueHeaders(json, headers);
                    }
                    else
                    {
                        WriteSingleValueHeaders(json, headers);
                    }

                    break;
            }

            WriteBody(json, body, headers);
            json.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    private static void WriteBody(Utf8JsonWriter json, ReadOnlySpan<byte> body, IHeaderDictionary headers)
    {
        // Text must also be valid UTF-8 to survive inside a JSON string; anything else goes as base64, never mangled.
        if (body.IsEmpty)
        {
            json.WriteString("body"u8, ""u8);
            json.WriteBoolean("isBase64Encoded"u8, false);
        }
        else if (ResponseContent.IsText(headers.ContentType, headers.ContentEncoding) && Utf8.IsValid(body))
        {
            json.WriteString("body"u8, body);
            json.WriteBoolean("isBase64Encoded"u8, false);
        }
        else
        {
            json.WriteBase64String("body"u8, body);
            json.WriteBoolean("isBase64Encoded"u8, true);
        }
    }

    private static void WriteHttpApiHeaders(Utf8JsonWriter json, IHeaderDictionary headers)
    {
        json.WriteStartObject("headers"u8);
        StringValues cookies = default;
        foreach (var (name, values) in headers)
        {
            if (name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase))
            {
                cookies = values;
                continue;
            }

            json.WriteString(name, values.Count == 1 ? values[0] : string.Join(',', values.ToArray()));
        }

        json.WriteEndObject();

        // HTTP API drops Set-Cookie from headers that carry several; cookies[] is its way to send each one.
        if (cookies.Count > 0)
        {
            json.WriteStartArray("cookies"u8);
            foreach (var cookie in cookies)
            {
                json.WriteStringValue(cookie);
            }

            json.WriteEndArray();
        }
    }

    private static void WriteSingleValueHeaders(Utf8JsonWriter json, IHeaderDictionary headers)
    {
        json.WriteStartObject("headers"u8);
        foreach (var (name, values) in headers)
        {
            json.WriteString(name, SingleValue(name, values));
        }

        json.WriteEndObject();
    }

    private static void WriteMultiValueHeaders(Utf8JsonWriter json, IHeaderDictionary headers)
    {
        json.WriteStartObject("multiValueHeaders"u8);
        foreach (var (name, values) in headers)
        {
            json.WriteStartArray(name);
            foreach (var value in values)
            {
                json.WriteStringValue(value);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// Where only one value fits: repeated headers comma-join (HTTP's own list form), except Set-Cookie, whose dates
    /// contain commas; there the last cookie is kept, and multi-value collections carry them all.
    /// </summary>
    private static string? SingleValue(string name, StringValues values) =>
        values.Count switch
        {
            0 => string.Empty,
            1 => values[0],
            _ when name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase) => values[^1],
            _ => string.Join(',', values.ToArray()),
        };

    private static string StatusDescription(int statusCode) =>
        ReasonPhrases.GetReasonPhrase(statusCode) is { Length: > 0 } phrase ? $"{statusCode} {phrase}" : statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
