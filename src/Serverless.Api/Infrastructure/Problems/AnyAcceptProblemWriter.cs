using Microsoft.AspNetCore.WebUtilities;
using Serverless.Api.Infrastructure.Json;

namespace Serverless.Api.Infrastructure.Problems;

/// <summary>
/// The framework writes a problem only for a client that accepts JSON; for any other Accept (a browser's text/html,
/// a load balancer's health check) it writes nothing, and an error becomes a bare status with an empty body. Registered
/// after the framework's writer, this one takes what it declined: the same problem, as application/problem+json, which
/// an API's errors always are (RFC 9457), whatever the client said it prefers.
/// </summary>
internal sealed class AnyAcceptProblemWriter(IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    private const string ContentType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        var problem = context.ProblemDetails;
        problem.Status ??= response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(problem is HttpValidationProblemDetails validation
            ? response.WriteAsJsonAsync(validation, ApiJsonContext.Default.HttpValidationProblemDetails, ContentType, context.HttpContext.RequestAborted)
            : response.WriteAsJsonAsync(problem, ApiJsonContext.Default.ProblemDetails, ContentType, context.HttpContext.RequestAborted));
    }
}
