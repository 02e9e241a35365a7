using System.Globalization;
using Serverless.Api.Infrastructure.Idempotency;
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

        // Listing, searching and looking users up by email, city or status show many users: service callers only.
        var service = group.MapGroup("").RequireAccess(Access.ServiceRead);
        service.MapGet("/", ListAsync).WithPageProblems();
        service.MapGet("/search", SearchAsync).WithPageProblems();

        var own = group.MapGroup("").RequireAccess(Access.OwnUserRead);
        own.MapGet("/{id}", GetAsync).WithLookupProblems();
        own.MapGet("/{id}/orders", OrdersApi.ListOfUserAsync).WithTags("Orders").WithPageProblems();

        // Creating a user, and undoing a deletion (which the back office may have made), are not an end user's to do.
        var serviceWrites = group.MapGroup("").RequireAccess(Access.ServiceWrite);
        serviceWrites.MapPost("/", CreateAsync).WithBodyProblems().WithPasswordHashingProblem().WithConflictProblem();
        serviceWrites.MapPost("/{id}/restore", RestoreAsync).WithConditionalWriteProblems();

        var ownWrites = group.MapGroup("").RequireAccess(Access.OwnUserWrite);
        ownWrites.MapPatch("/{id}", UpdateAsync).WithBodyProblems().WithPasswordHashingProblem().WithConditionalWriteProblems().WithIdempotency();
        ownWrites.MapDelete("/{id}", DeleteAsync).WithConditionalWriteProblems();

        group.MapUserRoles();
        return group;
    }

    [EndpointName("CreateUser")]
    [EndpointSummary("Create a user (201 with Location and ETag).")]
    private static async Task<Created<UserResponse>> CreateAsync(
        CreateUserRequest request, PasswordHashing hashing, [AsParameters] Write<UserRepository> write)
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
        var withHash = user with { PasswordHash = await HashAfterValidatingAsync(hashing, user, request.Password, write.CancellationToken) };

        var created = await write.Repository.CreateAsync(withHash, write.Writer, write.CancellationToken);
        return write.Created($"/users/{created.Id:D}", created, UserResponse.From);
    }

    [EndpointName("GetUser")]
    [EndpointSummary("A user, with its ETag. A soft-deleted user is shown (status deleted) until it is purged.")]
    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetAsync(
        Guid id, UserRepository users, HttpResponse response, CancellationToken cancellationToken) =>
        Representations.OkOrNotFound(response, await users.GetAsync(id, cancellationToken), Entity, id, UserResponse.From);

    [EndpointName("ListUsers")]
    [EndpointSummary("Users by exactly one of: ?email=, ?status=, ?city=, or ?createdWithinDays= (optionally with &status=), newest first where time-ordered.")]
    private static async Task<Ok<PageResponse<UserResponse>>> ListAsync(
        [AsParameters] UserSelector selector, [AsParameters] PageParameters page, UserRepository users, TableOptions table, CancellationToken cancellationToken)
    {
        var request = page.ToRequest();
        var days = PageQuery.Int("createdWithinDays", selector.CreatedWithinDays, 1, table.MaxRecentDays);
        var selectors = new[]
        {
            selector.Email is not null, selector.City is not null, selector.CreatedWithinDays is not null,
            selector.Status is not null && selector.CreatedWithinDays is null,
        }.Count(s => s);
        if (selectors != 1)
        {
            throw new ValidationException([new FieldError("query", "give exactly one of email, status, city or createdWithinDays (which may be combined with status).")]);
        }

        UserStatus? parsedStatus = selector.Status is null ? null : ParseStatus(selector.Status);
        Page<User> result;
        if (selector.Email is not null)
        {
            if (!EmailAddress.IsValid(selector.Email.Trim()))
            {
                throw new ValidationException([new FieldError("email", "is not a valid email address.")]);
            }

            // One user at most: the email is unique. The limit is still checked, so every list treats it alike.
            _ = PageLimits.Resolve(request.Limit, table);
            var found = await users.GetByEmailAsync(selector.Email, cancellationToken);
            result = new Page<User>(found is null ? [] : [found], null);
        }
        else if (selector.City is not null)
        {
            result = await users.ByCityAsync(selector.City, request, cancellationToken);
        }
        else if (days is { } withinDays)
        {
            result = await users.RecentAsync(withinDays, parsedStatus, request, cancellationToken);
        }
        else
        {
            result = await users.ByStatusAsync(parsedStatus!.Value, request, cancellationToken);
        }

        return TypedResults.Ok(PageResponse.From(result, UserResponse.From));
    }

    [EndpointName("SearchUsers")]
    [EndpointSummary("Users whose name has every word of ?q= (English stemming).")]
    private static async Task<Ok<PageResponse<UserResponse>>> SearchAsync(
        string q, [AsParameters] PageParameters page, UserRepository users, CancellationToken cancellationToken) =>
        TypedResults.Ok(PageResponse.From(await users.SearchByNameAsync(q, page.ToRequest(), cancellationToken), UserResponse.From));

    [EndpointName("UpdateUser")]
    [EndpointSummary("Change the members sent (JSON merge patch). Needs If-Match.")]
    private static async Task<Ok<UserResponse>> UpdateAsync(
        Guid id, UpdateUserRequest request, PasswordHashing hashing, Caller caller, [AsParameters] Write<UserRepository> write)
    {
        if (request.Has(nameof(request.Status)) || request.Has(nameof(request.Balance)))
        {
            // The account's standing and its money are the back office's to set, not the account holder's.
            caller.EnsureService("change a user's status or balance");
        }

        var users = write.Repository;
        string? newHash = null;
        var updated = await write.ApplyAsync(Entity, id, ct => users.GetAsync(id, ct), async (current, version, ct) =>
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

            return await users.UpdateAsync(changed, version, write.Writer, ct);
        });
        return write.Ok(updated, UserResponse.From);
    }

    [EndpointName("DeleteUser")]
    [EndpointSummary("Soft delete: status deleted until purgeAfter, restorable until then (409 when already deleted). Needs If-Match.")]
    private static async Task<Ok<UserResponse>> DeleteAsync(Guid id, [AsParameters] Write<UserRepository> write)
    {
        var users = write.Repository;
        var deleted = await write.ApplyAsync(Entity, id, ct => users.GetAsync(id, ct), (current, version, ct) =>
        {
            EnsureNotDeleted(current);
            return users.DeleteAsync(id, version, write.Writer, ct);
        });
        return write.Ok(deleted, UserResponse.From);
    }

    [EndpointName("RestoreUser")]
    [EndpointSummary("Undo a soft delete before the purge. If-Match optional (checked when sent).")]
    private static async Task<Ok<UserResponse>> RestoreAsync(Guid id, [AsParameters] Write<UserRepository> write)
    {
        // Restoring cannot lose anyone's change (a deleted user accepts no other write), so If-Match is optional here.
        var users = write.Repository;
        var restored = await write.ApplyAsync(
            Entity, id, ct => users.GetAsync(id, ct), (_, version, ct) => users.RestoreAsync(id, version, write.Writer, ct), ifMatchOptional: true);
        return write.Ok(restored, UserResponse.From);
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
