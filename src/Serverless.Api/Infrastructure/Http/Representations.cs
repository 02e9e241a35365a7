namespace Serverless.Api.Infrastructure.Http;

/// <summary>
/// One stored version as the answer: its version as the response's strong ETag (what If-Match and If-None-Match
/// name), its representation as the body. Every answer carrying a single resource is made here.
/// </summary>
public static class Representations
{
    public static Ok<TResponse> Ok<TEntity, TResponse>(HttpResponse response, TEntity entity, Func<TEntity, TResponse> represent)
        where TEntity : IEntity
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(represent);
        response.SetETag(entity.Version);
        return TypedResults.Ok(represent(entity));
    }

    /// <summary>201 with the new resource's address as Location.</summary>
    public static Created<TResponse> Created<TEntity, TResponse>(HttpResponse response, string location, TEntity entity, Func<TEntity, TResponse> represent)
        where TEntity : IEntity
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(represent);
        response.SetETag(entity.Version);
        return TypedResults.Created(location, represent(entity));
    }

    /// <summary>A GET of one resource: the resource, or a 404 problem naming it when there is none.</summary>
    public static Results<Ok<TResponse>, ProblemHttpResult> OkOrNotFound<TEntity, TResponse>(
        HttpResponse response, TEntity? entity, string name, Guid id, Func<TEntity, TResponse> represent)
        where TEntity : class, IEntity =>
        entity is null ? EndpointConventions.NotFound(name, id.ToString("D")) : Ok(response, entity, represent);
}
