using Serverless.Data.Audit;
using Serverless.Data.Table;

namespace Serverless.Api.Audit;

/// <summary>The audit trail of one record, newest first. Needs data.admin: it shows old and new values of every change.</summary>
public static class AuditApi
{
    /// <summary>The entity types that are audited (index items and audit entries themselves are not).</summary>
    private static readonly string[] Audited =
        [EntityTypes.User, EntityTypes.Order, EntityTypes.OrderItem, EntityTypes.Product, EntityTypes.Role, EntityTypes.UserRole, EntityTypes.Comment];

    public static RouteGroupBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/audit").WithTags("Audit").RequireAccess(Access.Admin);
        group.MapGet("/{entityType}/{id}", HistoryAsync)
            .WithName("GetAuditHistory")
            .WithSummary("Every recorded change of one record, newest first. entityType: " + string.Join(", ", Audited) + ".")
            .WithPageProblems();
        return group;
    }

    private static async Task<Ok<PageResponse<AuditEntryResponse>>> HistoryAsync(
        string entityType, string id, [AsParameters] PageParameters page, AuditRepository audit, CancellationToken cancellationToken)
    {
        if (!Audited.Contains(entityType, StringComparer.Ordinal))
        {
            throw new ValidationException([new FieldError("entityType", $"must be one of: {string.Join(", ", Audited)}.")]);
        }

        var history = await audit.HistoryAsync(entityType, id, page.ToRequest(), cancellationToken);
        return TypedResults.Ok(PageResponse.From(history, AuditEntryResponse.From));
    }
}
