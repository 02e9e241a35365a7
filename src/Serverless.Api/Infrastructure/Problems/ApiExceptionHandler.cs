using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Serverless.Data;
using static Serverless.Api.Infrastructure.Problems.ApiProblems;

namespace Serverless.Api.Infrastructure.Problems;

/// <summary>
/// Every error becomes a problem response (RFC 9457): the domain's deliberate errors with their status, request
/// binding failures with the field that is wrong, anything else as an opaque 500. Messages logged here never
/// include request values, so no PII and no password reaches the logs: an unexpected failure is logged as
/// <see cref="ErrorLog"/> describes it (its type, an AWS error's code, never a message that can quote an item key such
/// as <c>EMAIL#&lt;address&gt;</c>) with its stack trace, and the exception itself is not handed to the logger, whose
/// providers would print its message.
/// </summary>
internal sealed partial class ApiExceptionHandler(
    IProblemDetailsService problems,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
            return true;
        }

        var problem = ToProblem(exception, httpContext, BodyTypeOf(httpContext));
        // A refusal the API chose (such as 503 when password hashing is saturated) is not a failure to log as one.
        if (problem.Status >= 500 && exception is not ApiProblemException)
        {
            LogUnexpected(logger, ErrorLog.Describe(exception), exception.StackTrace ?? "(no stack trace)");
        }
        else
        {
            LogRefused(logger, problem.Status ?? 0, exception.GetType().Name);
        }

        if (RetryAfter(exception, problem) is { } retryAfter)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>
    /// The JSON metadata of the endpoint's body, which tells what each field of it must be. The exception handler has
    /// cleared the request's endpoint by now; its feature keeps the one that failed.
    /// </summary>
    private JsonTypeInfo? BodyTypeOf(HttpContext httpContext) =>
        (httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint())?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is { } type
        && json.Value.SerializerOptions.TryGetTypeInfo(type, out var info)
            ? info
            : null;

    private static TimeSpan? RetryAfter(Exception exception, ProblemDetails problem) => exception switch
    {
        ApiProblemException { RetryAfter: { } after } => after,
        _ when problem.Status == StatusCodes.Status503ServiceUnavailable => TimeSpan.FromSeconds(1),
        _ => null,
    };

    internal static ProblemDetails ToProblem(Exception exception, HttpContext httpContext, JsonTypeInfo? body) => exception switch
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
        BadHttpRequestException e => FromBadRequest(e, httpContext, body),
        AmazonDynamoDBException e when IsThrottling(e) => Problem(
            StatusCodes.Status503ServiceUnavailable,
            "Service unavailable",
            "The table is throttling requests; retry shortly."),
        _ => Problem(StatusCodes.Status500InternalServerError, "Internal server error", "An unexpected error occurred."),
    };

    private static bool IsThrottling(AmazonDynamoDBException e) =>
        e is ProvisionedThroughputExceededException or RequestLimitExceededException
        || e.ErrorCode is "ThrottlingException";

    /// <summary>
    /// Errors raised while reading the request: its size, content type, body JSON, route and query values. The
    /// framework's messages name parameters by their .NET types ("Guid id"), so each is reworded; a server's own
    /// reason for refusing a request (Kestrel's, the Lambda adapter's) is written for the client and passed on.
    /// </summary>
    private static ProblemDetails FromBadRequest(BadHttpRequestException e, HttpContext httpContext, JsonTypeInfo? body)
    {
        if (e.InnerException is JsonException json)
        {
            return Invalid(JsonErrors.Describe(json, body));
        }

        if (e.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return StatusCodeProblems.UnsupportedMediaType(httpContext);
        }

        if (BoundParameter().Match(e.Message) is { Success: true } bound)
        {
            var fromBody = bound.Groups["source"].Value == "body";
            var name = fromBody ? JsonErrors.Body : bound.Groups["name"].Value;
            var message = fromBody ? "a JSON body is required."
                : bound.Groups["source"].Success ? "is required."
                : ParameterMessage(bound.Groups["type"].Value);
            return Invalid([(name, message)]);
        }

        if (ImplicitBody().IsMatch(e.Message))
        {
            return Invalid([(JsonErrors.Body, "a JSON body is required.")]);
        }

        return e.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => Problem(e.StatusCode, "Request body too large", e.Message),
            StatusCodes.Status414UriTooLong => Problem(e.StatusCode, "URI too long", e.Message),
            StatusCodes.Status431RequestHeaderFieldsTooLarge => Problem(e.StatusCode, "Request header fields too large", e.Message),
            _ when FrameworkParameter().IsMatch(e.Message) => Problem(e.StatusCode, "Bad request", "The request could not be read."),
            StatusCodes.Status400BadRequest => Invalid([(JsonErrors.Body, e.Message)]),
            _ => Problem(e.StatusCode, ReasonPhrases.GetReasonPhrase(e.StatusCode), e.Message),
        };
    }

    /// <summary>A route or query value that does not parse as its parameter's type (as minimal APIs print it).</summary>
    private static string ParameterMessage(string type)
    {
        var clr = type.TrimEnd('?') switch
        {
            "Guid" => typeof(Guid),
            "int" => typeof(int),
            "long" => typeof(long),
            "bool" => typeof(bool),
            "decimal" => typeof(decimal),
            "double" => typeof(double),
            "DateTimeOffset" => typeof(DateTimeOffset),
            "DateTime" => typeof(DateTime),
            "DateOnly" => typeof(DateOnly),
            _ => null,
        };
        return clr is not null && JsonErrors.Scalar(clr) is { } expected ? $"must be {expected}." : "is not valid.";
    }

    // Route/query/header binding: 'Failed to bind parameter "int limit" from "abc".' or
    // 'Required parameter "string q" was not provided from query string.'
    [GeneratedRegex("parameter \"(?<type>[^\"]+) (?<name>[^\" ]+)\" (?:was not provided from (?<source>body|query string|route|header)|from)", RegexOptions.CultureInvariant)]
    private static partial Regex BoundParameter();

    // 'Implicit body inferred for parameter "CreateUserRequest request" but no body was provided.'
    [GeneratedRegex("^Implicit body inferred for parameter", RegexOptions.CultureInvariant)]
    private static partial Regex ImplicitBody();

    // Any other framework message about a parameter names its .NET type; none of it is for the client.
    [GeneratedRegex("parameter \"[^\"]+\"", RegexOptions.CultureInvariant)]
    private static partial Regex FrameworkParameter();

    [LoggerMessage(Level = LogLevel.Error, Message = "Request failed with {Error}.\n{StackTrace}")]
    private static partial void LogUnexpected(ILogger logger, string error, string stackTrace);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Request refused with {Status} ({ExceptionType}).")]
    private static partial void LogRefused(ILogger logger, int status, string exceptionType);
}
