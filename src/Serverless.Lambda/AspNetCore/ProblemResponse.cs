using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Serverless.Lambda.AspNetCore;

/// <summary>
/// An RFC 9457 problem document for a failure that escaped the app. It names the request but says nothing of a
/// server failure's internals; a bad request's reason (<see cref="BadHttpRequestException"/>, written for the
/// client, as Kestrel's are) is given as the detail, so the client learns what to fix.
/// </summary>
internal static class ProblemResponse
{
    public static void Write(LambdaHttpFeatures features, int statusCode, Exception exception)
    {
        features.ResetResponse(statusCode);
        features.ResponseHeaders.ContentType = "application/problem+json";
        features.ResponseHeaders.CacheControl = "no-store";
        using var json = new Utf8JsonWriter(features.ResponseBuffer);
        json.WriteStartObject();
        json.WriteString("type", statusCode >= 500
            ? "https://tools.ietf.org/html/rfc9110#section-15.6.1"
            : "https://tools.ietf.org/html/rfc9110#section-15.5.1");
        json.WriteString("title", statusCode >= 500
            ? "An error occurred while processing your request."
            : ReasonPhrases.GetReasonPhrase(statusCode));
        json.WriteNumber("status", statusCode);
        json.WriteString("detail", statusCode < 500 && exception is BadHttpRequestException { Message: { Length: > 0 } reason }
            ? reason
            : "The server failed to process the request. Retry; if it keeps failing, report the traceId.");

        json.WriteString("traceId", features.TraceIdentifier);
        json.WriteEndObject();
    }

    /// <summary>A 400 for an event that is not an HTTP request the adapter can map; the reason names fields, never values.</summary>
    public static void WriteBadEvent(LambdaHttpFeatures features, string reason)
    {
        features.ResetResponse(StatusCodes.Status400BadRequest);
        features.ResponseHeaders.ContentType = "application/problem+json";
        features.ResponseHeaders.CacheControl = "no-store";
        using var json = new Utf8JsonWriter(features.ResponseBuffer);
        json.WriteStartObject();
        json.WriteString("type", "https://tools.ietf.org/html/rfc9110#section-15.5.1");
        json.WriteString("title", ReasonPhrases.GetReasonPhrase(StatusCodes.Status400BadRequest));
        json.WriteNumber("status", StatusCodes.Status400BadRequest);
        json.WriteString("detail", $"This function serves API Gateway (REST 1.0, HTTP 2.0) and load balancer requests, and {reason}.");
        json.WriteString("traceId", features.TraceIdentifier);
        json.WriteEndObject();
    }

    /// <summary>A bad request body is the client's fault and keeps its status; anything else is ours, a 500.</summary>
    public static int StatusFor(Exception exception) =>
        exception is BadHttpRequestException badRequest ? badRequest.StatusCode : StatusCodes.Status500InternalServerError;
}
