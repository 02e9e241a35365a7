using System.Security.Claims;
using Serverless.Data.Roles;
using Serverless.Domain.Roles;

namespace Serverless.Api.Roles;

/// <summary>
/// Roles and who holds them. The catalogue and a role's users are read with data.read; creating roles and granting or
/// revoking them needs data.admin. An end user reads only its own roles (each names its role, so it needs no catalogue).
/// </summary>
public static class RolesApi
{
    public static RouteGroupBuilder MapRoles(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/roles").WithTags("Roles");

        var reads = group.MapGroup("").RequireAccess(Access.ServiceRead);
        reads.MapGet("/", ListAsync).WithPageProblems();
        reads.MapGet("/{id}", GetAsync).WithLookupProblems();
        reads.MapGet("/{id}/users", UsersAsync).WithPageProblems();

        var admin = group.MapGroup("").RequireAccess(Access.Admin);
        admin.MapPost("/", CreateAsync).WithBodyProblems().WithConflictProblem();

        return group;
    }

    /// <summary>The user side of the many-to-many (GET, PUT, DELETE /users/{id}/roles[/{roleId}]), under the users' group.</summary>
    internal static void MapUserRoles(this RouteGroupBuilder users)
    {
        var group = users.MapGroup("").WithTags("Roles");

        var reads = group.MapGroup("").RequireAccess(Access.OwnUserRead);
        reads.MapGet("/{id}/roles", RolesOfUserAsync).WithPageProblems();

        var admin = group.MapGroup("").RequireAccess(Access.Admin);
        admin.MapPut("/{id}/roles/{roleId}", AssignAsync).WithLookupProblems().WithConflictProblem();
        admin.MapDelete("/{id}/roles/{roleId}", UnassignAsync).WithLookupProblems();
    }

    [EndpointName("CreateRole")]
    [EndpointSummary("Create a role (201 with Location and ETag; 409 when the name is taken, whatever its case and spacing).")]
    private static async Task<Created<RoleResponse>> CreateAsync(CreateRoleRequest request, [AsParameters] Write<RoleRepository> write)
    {
        var role = new Role { Id = Guid.NewGuid(), Name = request.Name, Description = request.Description };
        var created = await write.Repository.CreateAsync(role, write.Writer, write.CancellationToken);
        return write.Created($"/roles/{created.Id:D}", created, RoleResponse.From);
    }

    [EndpointName("ListRoles")]
    [EndpointSummary("All roles by name.")]
    private static async Task<Ok<PageResponse<RoleResponse>>> ListAsync(
        [AsParameters] PageParameters page, RoleRepository roles, CancellationToken cancellationToken) =>
        TypedResults.Ok(PageResponse.From(await roles.ListAsync(page.ToRequest(), cancellationToken), RoleResponse.From));

    [EndpointName("GetRole")]
    [EndpointSummary("A role, with its ETag.")]
    private static async Task<Results<Ok<RoleResponse>, ProblemHttpResult>> GetAsync(
        Guid id, RoleRepository roles, HttpResponse response, CancellationToken cancellationToken) =>
        Representations.OkOrNotFound(response, await roles.GetAsync(id, cancellationToken), "Role", id, RoleResponse.From);

    [EndpointName("ListUsersOfRole")]
    [EndpointSummary("The users holding the role, in user id order.")]
    private static async Task<Ok<PageResponse<UserRoleResponse>>> UsersAsync(
        Guid id, [AsParameters] PageParameters page, RoleRepository roles, CancellationToken cancellationToken) =>
        TypedResults.Ok(PageResponse.From(await roles.ListUsersOfRoleAsync(id, page.ToRequest(), cancellationToken), UserRoleResponse.From));

    [EndpointName("ListRolesOfUser")]
    [EndpointSummary("The roles the user holds, in role id order.")]
    private static async Task<Ok<PageResponse<UserRoleResponse>>> RolesOfUserAsync(
        Guid id, [AsParameters] PageParameters page, RoleRepository roles, CancellationToken cancellationToken) =>
        TypedResults.Ok(PageResponse.From(await roles.ListRolesOfUserAsync(id, page.ToRequest(), cancellationToken), UserRoleResponse.From));

    [EndpointName("AssignRole")]
    [EndpointSummary("Give the user the role: 201 when granted now, 200 when already held (assignedAt unchanged).")]
    private static async Task<Results<Created<UserRoleResponse>, Ok<UserRoleResponse>>> AssignAsync(
        Guid id, Guid roleId, RoleRepository roles, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var assignment = await roles.AssignAsync(id, roleId, caller.GetWriter(), cancellationToken);
        var body = UserRoleResponse.From(assignment.Link);
        return assignment.Created
            ? TypedResults.Created($"/users/{id:D}/roles/{roleId:D}", body)
            : TypedResults.Ok(body);
    }

    [EndpointName("UnassignRole")]
    [EndpointSummary("Take the role from the user: 204, or 404 when the user does not hold it.")]
    private static async Task<NoContent> UnassignAsync(Guid id, Guid roleId, RoleRepository roles, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        if (!await roles.UnassignAsync(id, roleId, caller.GetWriter(), cancellationToken))
        {
            throw new NotFoundException("Role assignment", $"{id:D}/{roleId:D}");
        }

        return TypedResults.NoContent();
    }
}
