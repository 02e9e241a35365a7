namespace Serverless.Api.Infrastructure.OpenApi;

/// <summary>Problem responses declared once per kind of route, so the OpenAPI document lists them.</summary>
public static class EndpointConventions
{
    /// <summary>A route that reads a JSON body: 400 naming the field, 413 too large, 415 not JSON.</summary>
    public static RouteHandlerBuilder WithBodyProblems(this RouteHandlerBuilder builder) =>
        builder
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    /// <summary>A route taking a page: 400 for a bad limit or a tampered cursor.</summary>
    public static RouteHandlerBuilder WithPageProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesValidationProblem();

    /// <summary>
    /// A PATCH, DELETE or restore made under If-Match: 400 an If-Match that is not an entity tag (or an id that is not
    /// a UUID), 404 gone, 409 kept changing through every attempt under <c>If-Match: *</c> (or a change its state
    /// refuses), 412 stale ETag, 428 no If-Match.
    /// </summary>
    public static RouteHandlerBuilder WithConditionalWriteProblems(this RouteHandlerBuilder builder) =>
        builder
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .WithConflictProblem()
            .ProducesValidationProblem();

    /// <summary>A route addressing a resource by its id: 404 when there is none, 400 for an id that is not a UUID.</summary>
    public static RouteHandlerBuilder WithLookupProblems(this RouteHandlerBuilder builder) =>
        builder.WithNotFoundProblem().ProducesValidationProblem();

    /// <summary>A route that may hash a password: 503 with Retry-After when the host is hashing as many as it allows.</summary>
    public static RouteHandlerBuilder WithPasswordHashingProblem(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    public static RouteHandlerBuilder WithNotFoundProblem(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status404NotFound);

    public static RouteHandlerBuilder WithConflictProblem(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status409Conflict);

    internal static ProblemHttpResult NotFound(string entity, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"{entity} '{id}' was not found.");
}
