using System.Security.Claims;
using Serverless.Data.Paging;
using Serverless.Data.Roles;
using Serverless.Domain.Roles;

namespace Serverless.Api.Roles;

/// <summary>Roles and who holds them. Reading needs data.read; creating roles and granting or revoking them needs data.admin.</summary>
public static class RolesApi
{
    public static RouteGroupBuilder MapRoles(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/roles").WithTags("Roles");

        group.MapPost("/", CreateAsync)
            .RequireAuthorization(Scopes.Admin)
            .WithName("CreateRole")
            .WithSummary("Create a role (201 with Location and ETag; 409 when the name is taken, whatever its case and spacing).")
            .WithBodyProblems()
            .WithConflictProblem();

        group.MapGet("/", ListAsync)
            .RequireAuthorization(Scopes.Read)
            .WithName("ListRoles")
            .WithSummary("All roles by name.")
            .WithPageProblems();

        group.MapGet("/{id}", GetAsync)
            .RequireAuthorization(Scopes.Read)
            .WithName("GetRole")
            .WithSummary("A role, with its ETag.")
            .WithNotFoundProblem()
            .ProducesValidationProblem();

        group.MapGet("/{id}/users", UsersAsync)
            .RequireAuthorization(Scopes.Read)
            .WithName("ListUsersOfRole")
            .WithSummary("The users holding the role, in user id order.")
            .WithPageProblems();

        return group;
    }

    /// <summary>The user side of the many-to-many (GET, PUT, DELETE /users/{id}/roles[/{roleId}]), under the users' group.</summary>
    internal static void MapUserRoles(this RouteGroupBuilder users)
    {
        users.MapGet("/{id}/roles", RolesOfUserAsync)
            .RequireAuthorization(Scopes.Read)
            .WithTags("Roles")
            .WithName("ListRolesOfUser")
            .WithSummary("The roles the user holds, in role id order.")
            .WithPageProblems();

        users.MapPut("/{id}/roles/{roleId}", AssignAsync)
            .RequireAuthorization(Scopes.Admin)
            .WithTags("Roles")
            .WithName("AssignRole")
            .WithSummary("Give the user the role: 201 when granted now, 200 when already held (assignedAt unchanged).")
            .WithNotFoundProblem()
            .ProducesValidationProblem()
            .WithConflictProblem();

        users.MapDelete("/{id}/roles/{roleId}", UnassignAsync)
            .RequireAuthorization(Scopes.Admin)
            .WithTags("Roles")
            .WithName("UnassignRole")
            .WithSummary("Take the role from the user: 204, or 404 when the user does not hold it.")
            .WithNotFoundProblem()
            .ProducesValidationProblem();
    }

    private static async Task<Created<RoleResponse>> CreateAsync(
        CreateRoleRequest request, RoleRepository roles, ClaimsPrincipal caller, HttpResponse response, CancellationToken cancellationToken)
    {
        var role = new Role { Id = Guid.NewGuid(), Name = request.Name, Description = request.Description };
        var created = await roles.CreateAsync(role, caller.GetWriter(), cancellationToken);
        response.SetETag(created.Version);
        return TypedResults.Created($"/roles/{created.Id:D}", RoleResponse.From(created));
    }

    private static async Task<Ok<PageResponse<RoleResponse>>> ListAsync(string? cursor, string? limit, RoleRepository roles, CancellationToken cancellationToken)
    {
        var page = await roles.ListAsync(PageQuery.From(cursor, limit), cancellationToken);
        return TypedResults.Ok(PageResponse.From(page, RoleResponse.From));
    }

    private static async Task<Results<Ok<RoleResponse>, ProblemHttpResult>> GetAsync(
        Guid id, RoleRepository roles, HttpResponse response, CancellationToken cancellationToken)
    {
        var role = await roles.GetAsync(id, cancellationToken);
        if (role is null)
        {
            return EndpointConventions.NotFound("Role", id.ToString("D"));
        }

        response.SetETag(role.Version);
        return TypedResults.Ok(RoleResponse.From(role));
    }

    private static async Task<Ok<PageResponse<UserRoleResponse>>> UsersAsync(
        Guid id, string? cursor, string? limit, RoleRepository roles, CancellationToken cancellationToken)
    {
        var page = await roles.ListUsersOfRoleAsync(id, PageQuery.From(cursor, limit), cancellationToken);
        return TypedResults.Ok(PageResponse.From(page, UserRoleResponse.From));
    }

    private static async Task<Ok<PageResponse<UserRoleResponse>>> RolesOfUserAsync(
        Guid id, string? cursor, string? limit, RoleRepository roles, CancellationToken cancellationToken)
    {
        var page = await roles.ListRolesOfUserAsync(id, PageQuery.From(cursor, limit), cancellationToken);
        return TypedResults.Ok(PageResponse.From(page, UserRoleResponse.From));
    }

    private static async Task<Results<Created<UserRoleResponse>, Ok<UserRoleResponse>>> AssignAsync(
        Guid id, Guid roleId, RoleRepository roles, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var assignment = await roles.AssignAsync(id, roleId, caller.GetWriter(), cancellationToken);
        var body = UserRoleResponse.From(assignment.Link);
        return assignment.Created
            ? TypedResults.Created($"/users/{id:D}/roles/{roleId:D}", body)
            : TypedResults.Ok(body);
    }

    private static async Task<NoContent> UnassignAsync(Guid id, Guid roleId, RoleRepository roles, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        if (!await roles.UnassignAsync(id, roleId, caller.GetWriter(), cancellationToken))
        {
            throw new NotFoundException("Role assignment", $"{id:D}/{roleId:D}");
        }

        return TypedResults.NoContent();
    }
}
