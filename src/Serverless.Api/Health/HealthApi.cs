namespace Serverless.Api.Health;

public static class HealthApi
{
    /// <summary>Open and cheap: answers without touching the table, so load balancers and probes cost nothing.</summary>
    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/", () => TypedResults.Ok(new HealthResponse("ok")))
            .WithName("GetHealth")
            .WithSummary("Liveness: answers without touching the table.");
        return group;
    }
}

public sealed record HealthResponse(string Status);
