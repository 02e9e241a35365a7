using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using static Serverless.Api.Infrastructure.Problems.ApiProblems;

namespace Serverless.Api.Infrastructure.Problems;

/// <summary>
/// The problem for a response that left the pipeline with an error status and no body: the framework's own refusals
/// (no route, wrong method or content type, a challenge or forbid, a body binding failure it answers without
/// throwing). Each says what was wrong and how to fix it, from what the request and the refusing component left.
/// </summary>
internal static class StatusCodeProblems
{
    public const string ApiDocument = "/openapi/v1.json";

    public static async Task WriteAsync(StatusCodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = For(http) });
    }

    internal static ProblemDetails For(HttpContext http)
    {
        var status = http.Response.StatusCode;
        var request = http.Request;
        return status switch
        {
            // Minimal APIs answer a body that cannot be read with this status alone; the server that failed to read
            // it (Kestrel, or the Lambda adapter for a body it cannot decode) left the reason behind.
            StatusCodes.Status400BadRequest when http.Features.Get<IBadRequestExceptionFeature>()?.Error is BadHttpRequestException { Message: { Length: > 0 } reason } =>
                Invalid([(JsonErrors.Body, reason)]),
            StatusCodes.Status401Unauthorized => Problem(
                status,
                "Unauthorized",
                StatusReason.Of(http) ?? "This route needs a bearer token: send Authorization: Bearer <token>."),
            StatusCodes.Status403Forbidden => Problem(
                status,
                "Forbidden",
                StatusReason.Of(http) ?? "The token does not grant what this route needs."),
            StatusCodes.Status404NotFound => Problem(
                status,
                "Not found",
                $"No route matches {request.Method} {Shown(request.Path)}. The routes are listed in {ApiDocument}."),
            StatusCodes.Status405MethodNotAllowed => Problem(
                status,
                "Method not allowed",
                http.Response.Headers.Allow.ToString() is { Length: > 0 } allow
                    ? $"{Shown(request.Path)} does not take {request.Method}; it takes {allow.Replace(",", ", ", StringComparison.Ordinal)}."
                    : $"{Shown(request.Path)} does not take {request.Method}. The routes are listed in {ApiDocument}."),
            StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType(http),
            _ => Problem(status, ReasonPhrases.GetReasonPhrase(status), StatusReason.Of(http) ?? "The request could not be processed."),
        };
    }

    /// <summary>The path as sent, unless it holds characters the text rule refuses: those are never repeated.</summary>
    private static string Shown(PathString path) =>
        TextRule.Problem(path.Value) is null ? path.ToString() : "the path sent (it holds characters no field may hold)";

    public static ProblemDetails UnsupportedMediaType(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var sent = http.Request.ContentType is { Length: > 0 } type ? "Content-Type: " + type : "no Content-Type";
        return Problem(
            StatusCodes.Status415UnsupportedMediaType,
            "Unsupported media type",
            $"The request body must be JSON, sent with Content-Type: application/json; this request sent {sent}.");
    }
}
