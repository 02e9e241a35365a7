using Microsoft.AspNetCore.Mvc;

namespace Serverless.Api.Infrastructure.Problems;

/// <summary>The shapes of the API's problem documents, shared by the exception handler and the status code pages.</summary>
internal static class ApiProblems
{
    public const string InvalidTitle = "One or more fields are invalid";

    public static ProblemDetails Problem(int status, string title, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
    };

    /// <summary>A 400 whose <c>errors</c> name each field that is wrong and why.</summary>
    public static HttpValidationProblemDetails Invalid(IEnumerable<(string Field, string Message)> errors) =>
        WithErrors(
            new HttpValidationProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Title = InvalidTitle,
                Detail = "See errors: each names a field (a JSON path in the request body, or a route or query parameter).",
            },
            errors);

    public static HttpValidationProblemDetails WithErrors(ProblemDetails problem, IEnumerable<(string Field, string Message)> errors)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var result = problem as HttpValidationProblemDetails ?? new HttpValidationProblemDetails
        {
            Status = problem.Status,
            Title = problem.Title,
            Detail = problem.Detail,
        };
        result.Errors = errors
            .GroupBy(e => e.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        return result;
    }
}
