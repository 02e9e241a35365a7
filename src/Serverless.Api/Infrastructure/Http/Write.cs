using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;

namespace Serverless.Api.Infrastructure.Http;

/// <summary>
/// What a handler that writes takes from the exchange besides the route's ids and the body, bound as one
/// <c>[AsParameters]</c> argument: the repository it writes through, the caller (recorded as the last writer), the
/// request (its If-Match) and the response (the new ETag). Route values and bodies stay parameters of their own: their
/// names are the API's (the OpenAPI document and the 400 for a value that does not parse both say them). The
/// services are marked as such: left to inference, a handler with no body would be documented as taking one.
/// </summary>
public readonly record struct Write<TRepository>(
    [property: FromServices] TRepository Repository,
    ClaimsPrincipal Caller,
    HttpRequest Request,
    HttpResponse Response,
    [property: FromServices] IOptions<ApiOptions> Options,
    CancellationToken CancellationToken)
    where TRepository : class
{
    /// <summary>The caller's subject, which the write policies require. (Read-only members are not bound.)</summary>
    public string Writer => Caller.GetWriter();

    /// <summary>The change made under the request's If-Match (<see cref="ConditionalWrites.ApplyAsync"/>).</summary>
    /// <param name="ifMatchOptional">True where no change can be lost, so no If-Match is needed whatever the options say.</param>
    public Task<TResult> ApplyAsync<TCurrent, TResult>(
        string entity,
        Guid id,
        Func<CancellationToken, Task<TCurrent?>> read,
        Func<TCurrent, long, CancellationToken, Task<TResult>> write,
        bool ifMatchOptional = false)
        where TCurrent : class, IEntity =>
        ConditionalWrites.ApplyAsync(Request, ifMatchOptional ? new ApiOptions { RequireIfMatch = false } : Options.Value, entity, id, read, write, CancellationToken);

    public Ok<TResponse> Ok<TEntity, TResponse>(TEntity entity, Func<TEntity, TResponse> represent)
        where TEntity : IEntity =>
        Representations.Ok(Response, entity, represent);

    public Created<TResponse> Created<TEntity, TResponse>(string location, TEntity entity, Func<TEntity, TResponse> represent)
        where TEntity : IEntity =>
        Representations.Created(Response, location, entity, represent);
}
