using System.Globalization;
using System.Security.Claims;
using Serverless.Api.Infrastructure.Passwords;
using Serverless.Api.Orders;
using Serverless.Api.Roles;
using Serverless.Data.Paging;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Security;
using Serverless.Domain.Users;

namespace Serverless.Api.Users;

public static class UsersApi
{
    private const string Entity = "User";

    public static RouteGroupBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/users").WithTags("Users");

        group.MapPost("/", CreateAsync)
            .RequireAuthorization(Scopes.Write)
            .WithName("CreateUser")
            .WithSummary("Create a user (201 with Location and ETag).")
            .WithBodyProblems()
            .WithPasswordHashingProblem()
            .WithConflictProblem();

        group.MapGet("/{id}", GetAsync)
            .RequireAuthorization(Scopes.Read)
            .WithName("GetUser")
            .WithSummary("A user, with its ETag. A soft-deleted user is shown (status deleted) until it is purged.")
            .WithNotFoundProblem()
            .ProducesValidationProblem();

        group.MapGet("/", ListAsync)
            .RequireAuthorization(Scopes.Read)
            .WithName("ListUsers")
            .WithSummary("Users by exactly one of: ?email=, ?status=, ?city=, or ?createdWithinDays= (optionally with &status=), newest first where time-ordered.")
            .WithPageProblems();

        group.MapGet("/search", SearchAsync)
            .RequireAuthorization(Scopes.Read)
            .WithName("SearchUsers")
            .WithSummary("Users whose name has every word of ?q= (English stemming).")
            .WithPageProblems();

        group.MapPatch("/{id}", UpdateAsync)
            .RequireAuthorization(Scopes.Write)
            .WithName("UpdateUser")
            .WithSummary("Change the members sent (JSON merge patch). Needs If-Match.")
            .WithBodyProblems()
            .WithPasswordHashingProblem()
            .WithConditionalWriteProblems()
            .WithConflictProblem();

        group.MapDelete("/{id}", DeleteAsync)
            .RequireAuthorization(Scopes.Write)
            .WithName("DeleteUser")
            .WithSummary("Soft delete: status deleted until purgeAfter, restorable until then (409 when already deleted). Needs If-Match.")
            .WithConditionalWriteProblems()
            .WithConflictProblem()
            .ProducesValidationProblem();

        group.MapPost("/{id}/restore", RestoreAsync)
            .RequireAuthorization(Scopes.Write)
            .WithName("RestoreUser")
            .WithSummary("Undo a soft delete before the purge. If-Match optional (checked when sent).")
            .WithConditionalWriteProblems()
            .WithConflictProblem()
            .ProducesValidationProblem();

        group.MapGet("/{id}/orders", OrdersApi.ListOfUserAsync)
            .RequireAuthorization(Scopes.Read)
            .WithTags("Orders")
            .WithName("ListOrdersOfUser")
            .WithSummary("The user's orders, newest first, without their items.")
            .WithPageProblems();

        group.MapUserRoles();
        return group;
    }

    private static async Task<Created<UserResponse>> CreateAsync(
        CreateUserRequest request, UserRepository users, PasswordHashing hashing, ClaimsPrincipal caller, HttpResponse response, CancellationToken cancellationToken)
    {
        var user = new User
        {
            Id = Guid.NewGuid(),
            Email = request.Email,
            Name = request.Name,
            PasswordHash = "",
            Status = request.Status,
            Metadata = request.Metadata,
            Profile = UserMapping.ToProfile(request.Profile),
            Addresses = UserMapping.ToAddresses(request.Addresses),
            Balance = request.Balance,
            Phone = request.Phone,
        };
        var withHash = user with { PasswordHash = await HashAfterValidatingAsync(hashing, user, request.Password, cancellationToken) };

        var created = await users.CreateAsync(withHash, caller.GetWriter(), cancellationToken);
        response.SetETag(created.Version);
        return TypedResults.Created($"/users/{created.Id:D}", UserResponse.From(created));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetAsync(
        Guid id, UserRepository users, HttpResponse response, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(id, cancellationToken);
        if (user is null)
        {
            return EndpointConventions.NotFound(Entity, id.ToString("D"));
        }

        response.SetETag(user.Version);
        return TypedResults.Ok(UserResponse.From(user));
    }

    private static async Task<Ok<PageResponse<UserResponse>>> ListAsync(
        string? email,
        string? status,
        string? city,
        string? createdWithinDays,
        string? cursor,
        string? limit,
        UserRepository users,
        TableOptions table,
        CancellationToken cancellationToken)
    {
        var page = PageQuery.From(cursor, limit);
        var days = PageQuery.Int(nameof(createdWithinDays), createdWithinDays, 1, table.MaxRecentDays);
        var selectors = new[] { email is not null, city is not null, createdWithinDays is not null, status is not null && createdWithinDays is null }.Count(s => s);
        if (selectors != 1)
        {
            throw new ValidationException([new FieldError("query", "give exactly one of email, status, city or createdWithinDays (which may be combined with status).")]);
        }

        UserStatus? parsedStatus = status is null ? null : ParseStatus(status);
        Page<User> result;
        if (email is not null)
        {
            if (!EmailAddress.IsValid(email.Trim()))
            {
                throw new ValidationException([new FieldError("email", "is not a valid email address.")]);
            }

            // One user at most: the email is unique. The limit is still checked, so every list treats it alike.
            _ = PageLimits.Resolve(page.Limit, table);
            var found = await users.GetByEmailAsync(email, cancellationToken);
            result = new Page<User>(found is null ? [] : [found], null);
        }
        else if (city is not null)
        {
            result = await users.ByCityAsync(city, page, cancellationToken);
        }
        else if (days is { } withinDays)
        {
            result = await users.RecentAsync(withinDays, parsedStatus, page, cancellationToken);
        }
        else
        {
            result = await users.ByStatusAsync(parsedStatus!.Value, page, cancellationToken);
        }

        return TypedResults.Ok(PageResponse.From(result, UserResponse.From));
    }

    private static async Task<Ok<PageResponse<UserResponse>>> SearchAsync(
        string q, string? cursor, string? limit, UserRepository users, CancellationToken cancellationToken)
    {
        var result = await users.SearchByNameAsync(q, PageQuery.From(cursor, limit), cancellationToken);
        return TypedResults.Ok(PageResponse.From(result, UserResponse.From));
    }

    private static async Task<Ok<UserResponse>> UpdateAsync(
        Guid id,
        UpdateUserRequest request,
        UserRepository users,
        PasswordHashing hashing,
        ClaimsPrincipal caller,
        HttpRequest httpRequest,
        HttpResponse response,
        IOptions<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        string? newHash = null;
        var updated = await ConditionalWrites.ApplyAsync(httpRequest, options.Value, Entity, id, ct => users.GetAsync(id, ct), async (current, version, ct) =>
        {
            EnsureNotDeleted(current);
            var errors = new FieldErrorCollector();
            void NotNull(object? value, string member, string field)
            {
                if (request.Has(member) && value is null)
                {
                    errors.Add(field, "must not be null; leave it out to keep the current value.");
                }
            }

            NotNull(request.Email, nameof(request.Email), "email");
            NotNull(request.Name, nameof(request.Name), "name");
            NotNull(request.Password, nameof(request.Password), "password");
            NotNull(request.Status, nameof(request.Status), "status");
            NotNull(request.Metadata, nameof(request.Metadata), "metadata");
            NotNull(request.Addresses, nameof(request.Addresses), "addresses");
            NotNull(request.Balance, nameof(request.Balance), "balance");
            errors.ThrowIfAny();
            var changed = current with
            {
                Email = request.Email ?? current.Email,
                Name = request.Name ?? current.Name,
                Status = request.Status ?? current.Status,
                Metadata = request.Metadata ?? current.Metadata,
                Profile = request.Has(nameof(request.Profile)) ? UserMapping.ToProfile(request.Profile) : current.Profile,
                Addresses = request.Addresses is { } addresses ? UserMapping.ToAddresses(addresses) : current.Addresses,
                Balance = request.Balance ?? current.Balance,
                Phone = request.Has(nameof(request.Phone)) ? request.Phone : current.Phone,
            };
            if (request.Password is not null)
            {
                // Hashed once, however often the change is made again on a newer version (the hash is slow on purpose).
                newHash ??= await HashAfterValidatingAsync(hashing, changed, request.Password, ct);
                changed = changed with { PasswordHash = newHash };
            }

            return await users.UpdateAsync(changed, version, caller.GetWriter(), ct);
        }, cancellationToken);
        response.SetETag(updated.Version);
        return TypedResults.Ok(UserResponse.From(updated));
    }

    private static async Task<Ok<UserResponse>> DeleteAsync(
        Guid id, UserRepository users, ClaimsPrincipal caller, HttpRequest request, HttpResponse response, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var deleted = await ConditionalWrites.ApplyAsync(request, options.Value, Entity, id, ct => users.GetAsync(id, ct), (current, version, ct) =>
        {
            EnsureNotDeleted(current);
            return users.DeleteAsync(id, version, caller.GetWriter(), ct);
        }, cancellationToken);
        response.SetETag(deleted.Version);
        return TypedResults.Ok(UserResponse.From(deleted));
    }

    private static async Task<Ok<UserResponse>> RestoreAsync(
        Guid id, UserRepository users, ClaimsPrincipal caller, HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        // Restoring cannot lose anyone's change (a deleted user accepts no other write), so If-Match is optional here.
        var restored = await ConditionalWrites.ApplyAsync(request, new ApiOptions { RequireIfMatch = false }, Entity, id, ct => users.GetAsync(id, ct),
            (_, version, ct) => users.RestoreAsync(id, version, caller.GetWriter(), ct), cancellationToken);
        response.SetETag(restored.Version);
        return TypedResults.Ok(UserResponse.From(restored));
    }

    /// <summary>
    /// A soft-deleted user is still shown by GET (status deleted) until it is purged, so a change to it is refused as a
    /// conflict with its state, saying how to undo the deletion, rather than as "not found".
    /// </summary>
    private static void EnsureNotDeleted(User user)
    {
        if (user.Status == UserStatus.Deleted)
        {
            throw new ConflictException(
                $"User '{user.Id:D}' is already deleted; restore it with POST /users/{user.Id:D}/restore"
                + (user.PurgeAfter is { } purgeAfter
                    ? " (possible until " + purgeAfter.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) + ")."
                    : "."),
                "status");
        }
    }

    /// <summary>
    /// Checks the password and every other field first, so the deliberately slow hash runs only for input that will be
    /// written; returns the hash (through the limiter that keeps hashing from starving other requests). Neither the
    /// password nor the hash ever appears in an error or a log.
    /// </summary>
    private static async Task<string> HashAfterValidatingAsync(PasswordHashing hashing, User user, string? password, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>(UserRules.Validate(user with { PasswordHash = "unset" }));
        if (PasswordHasher.Problem(password) is { } problem)
        {
            errors.Add(new FieldError("password", problem));
        }

        if (user.Status == UserStatus.Deleted)
        {
            errors.Add(new FieldError("status", "cannot be set to deleted; delete the user instead."));
        }

        ValidationException.ThrowIfAny(errors);

        return await hashing.HashAsync(password!, cancellationToken);
    }

    private static UserStatus ParseStatus(string status) =>
        EnumNames.UserStatus.TryParse(status, out var value)
            ? value
            : throw new ValidationException([new FieldError("status", $"must be one of: {string.Join(", ", EnumNames.UserStatus.Names)}.")]);
}
