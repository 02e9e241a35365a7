namespace Serverless.Api;

public static class HealthApi
{
    /// <summary>Open and cheap: answers without touching the table, so load balancers and probes cost nothing.</summary>
    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health");
        group.MapGet("/", () => TypedResults.Text("{\"status\":\"ok\"}", "application/json"));
        return group;
    }
}
