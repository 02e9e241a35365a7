using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Serverless.Domain;
using static Serverless.Api.Infrastructure.Problems.ApiProblems;

namespace Serverless.Api.Infrastructure.Problems;

/// <summary>
/// Every error becomes a problem response (RFC 9457): the domain's deliberate errors with their status, request
/// binding failures with the field that is wrong, anything else as an opaque 500. Messages logged here never
/// include request values, so no PII and no password reaches the logs.
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
            return true;
        }

        var problem = ToProblem(exception);
        if (problem.Status >= 500)
        {
            LogUnexpected(logger, exception.GetType().Name, exception);
        }
        else
        {
            LogRefused(logger, problem.Status ?? 0, exception.GetType().Name);
        }

        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    internal static ProblemDetails ToProblem(Exception exception) => exception switch
    {
        ValidationException e => Invalid(e.Errors.Select(f => (f.Field, f.Message))),
        InvalidCursorException e => Invalid([("cursor", e.Message)]),
        NotFoundException e => Problem(StatusCodes.Status404NotFound, "Not found", e.Message),
        ConflictException { Field: { } field } e => WithErrors(Problem(StatusCodes.Status409Conflict, "Conflict", e.Message), [(field, e.Message)]),
        ConflictException e => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message),
        ConcurrencyException e => Problem(
            StatusCodes.Status412PreconditionFailed,
            "Precondition failed",
            e.Message + " Read it again for the current ETag and retry."),
        ApiProblemException { Field: { } field } e => WithErrors(Problem(e.Status, e.Title, e.Message), [(field, e.Message)]),
        ApiProblemException e => Problem(e.Status, e.Title, e.Message),
        BadHttpRequestException e => FromBadRequest(e),
        AmazonDynamoDBException e when IsThrottling(e) => Problem(
            StatusCodes.Status503ServiceUnavailable,
            "Service unavailable",
            "The table is throttling requests; retry shortly."),
        _ => Problem(StatusCodes.Status500InternalServerError, "Internal server error", "An unexpected error occurred."),
    };

    private static bool IsThrottling(AmazonDynamoDBException e) =>
        e is ProvisionedThroughputExceededException or RequestLimitExceededException
        || e.ErrorCode is "ThrottlingException";

    /// <summary>Errors raised while binding the request: its size, content type, body JSON, route and query values.</summary>
    private static ProblemDetails FromBadRequest(BadHttpRequestException e)
    {
        if (e.InnerException is JsonException json)
        {
            return Invalid(JsonErrors.Describe(json));
        }

        return e.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => Problem(e.StatusCode, "Request body too large", e.Message),
            StatusCodes.Status415UnsupportedMediaType => Problem(
                e.StatusCode,
                "Unsupported media type",
                "The request body must be JSON, sent with Content-Type: application/json."),
            StatusCodes.Status400BadRequest when BoundParameter().Match(e.Message) is { Success: true } m =>
                Invalid([(m.Groups["source"].Value == "body" ? JsonErrors.Body : m.Groups["name"].Value,
                    m.Groups["source"].Value == "body" ? "a JSON body is required." : "is missing or not valid.")]),
            StatusCodes.Status400BadRequest when e.Message.Contains("body", StringComparison.OrdinalIgnoreCase) =>
                Invalid([(JsonErrors.Body, "a JSON body is required.")]),
            _ => Problem(e.StatusCode, "Bad request", "The request could not be read."),
        };
    }

    // Route/query/header binding: 'Failed to bind parameter "int limit" from "abc".' or
    // 'Required parameter "string q" was not provided from query string.'
    [GeneratedRegex("parameter \"(?<type>[^\"]+) (?<name>[^\" ]+)\" (?:was not provided from (?<source>body|query string|route|header)|from)", RegexOptions.CultureInvariant)]
    private static partial Regex BoundParameter();

    [LoggerMessage(Level = LogLevel.Error, Message = "Request failed with {ExceptionType}.")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Request refused with {Status} ({ExceptionType}).")]
    private static partial void LogRefused(ILogger logger, int status, string exceptionType);
}
