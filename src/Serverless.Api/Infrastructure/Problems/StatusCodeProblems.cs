using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using static Serverless.Api.Infrastructure.Problems.ApiProblems;

namespace Serverless.Api.Infrastructure.Problems;

/// <summary>
/// The problem for a response that left the pipeline with an error status and no body: the framework's own refusals
/// (no route, wrong method or content type, a challenge or forbid, a body binding failure it answers without
/// throwing). Each says what was wrong from what the request and the refusing component left behind.
/// </summary>
internal static class StatusCodeProblems
{
    public static async Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var problem = For(http);
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }

    internal static ProblemDetails For(HttpContext http)
    {
        var status = http.Response.StatusCode;
        return status switch
        {
            // Minimal APIs answer a body that cannot be read with this status alone; the server that failed to read
            // it (Kestrel, or the Lambda adapter for a body it cannot decode) left the reason behind.
            StatusCodes.Status400BadRequest when http.Features.Get<IBadRequestExceptionFeature>()?.Error is BadHttpRequestException { Message: { Length: > 0 } reason } =>
                Invalid([(JsonErrors.Body, reason)]),
            _ => Problem(status, ReasonPhrases.GetReasonPhrase(status), "The request could not be processed."),
        };
    }
}
