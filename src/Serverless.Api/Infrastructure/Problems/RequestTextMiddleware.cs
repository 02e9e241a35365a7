namespace Serverless.Api.Infrastructure.Problems;

/// <summary>
/// Holds every query parameter and route value of every request to the text rule string fields obey
/// (<see cref="TextRule"/>): a search term, a city, a status or a cursor with NUL, a line break, a bidirectional
/// override or an unpaired surrogate is a 400 naming the parameter before any handler reads it, on every route at once.
/// Bodies are checked field by field by the entities' rule sets.
/// </summary>
internal sealed class RequestTextMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var errors = new FieldErrorCollector();
        foreach (var (name, values) in context.Request.Query)
        {
            if (TextRule.Problem(name) is { } nameProblem)
            {
                // The name itself is what is wrong, so it cannot be the field the client is pointed at.
                errors.Add("query", "parameter names " + nameProblem);
                continue;
            }

            foreach (var value in values)
            {
                if (!errors.Text(name, value))
                {
                    break;
                }
            }
        }

        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text)
            {
                errors.Text(name, text);
            }
        }

        errors.ThrowIfAny();
        return next(context);
    }
}
