using Amazon.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Data;

namespace Serverless.Api.Health;

public static class HealthApi
{
    /// <summary>
    /// <c>GET /health</c>: liveness, open and cheap (no DynamoDB call), so load balancers and probes cost nothing.
    /// <c>GET /health/ready</c>: readiness with the table's figures, for a service caller (it describes the deployment).
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health");
        group.MapGet("/", () => TypedResults.Ok(new HealthResponse("ok")))
            .AllowAnonymous()
            .WithName("GetHealth")
            .WithSummary("Liveness: answers without touching the table.");
        group.MapGet("/ready", ReadyAsync)
            .RequireAccess(Access.ServiceRead)
            .WithName("GetReadiness")
            .WithSummary("Readiness: the table's, its indexes', stream's and TTL's status with DynamoDB's item counts and sizes (described at most every 10 s).")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<Results<Ok<ReadinessResponse>, JsonHttpResult<ReadinessResponse>, ProblemHttpResult>> ReadyAsync(
        TableReadiness readiness, CancellationToken ct)
    {
        ReadinessResponse response;
        try
        {
            response = await readiness.GetAsync(ct);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
        {
            // The error's type and AWS code only: a message can quote a request.
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Not ready",
                detail: $"The table could not be described ({ErrorLog.Describe(e)}).");
        }

        return response.Status == "ready"
            ? TypedResults.Ok(response)
            : TypedResults.Json(response, Infrastructure.Json.ApiJsonContext.Default.ReadinessResponse, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record HealthResponse(string Status);
