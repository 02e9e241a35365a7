using System.Diagnostics;

namespace Serverless.Api.Infrastructure.Problems;

internal static class ProblemSetup
{
    public static IServiceCollection AddApiProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Lets a client's report be matched with our logs and traces without exposing anything else.
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
            // The path is the client's own text: a problem never repeats one the text rule refuses (the 400 says why).
            if (TextRule.Problem(context.HttpContext.Request.Path.Value) is null)
            {
                context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            }

            context.ProblemDetails.Type ??= ProblemTypes.For(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
        });
        // After the framework's writer, for the requests it declines (an Accept that names no JSON).
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemWriter>();
        services.AddExceptionHandler<ApiExceptionHandler>();

        // Binding failures (bad JSON, wrong content type, unparsable query values) become exceptions the handler
        // above turns into problems naming the field, instead of bare 400s with no body.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }
}
