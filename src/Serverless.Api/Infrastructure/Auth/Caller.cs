using System.Security.Claims;

namespace Serverless.Api.Infrastructure.Auth;

/// <summary>
/// Who is calling the route, as its <see cref="AccessRule"/> sees the token: a service caller (the token grants the
/// route's service scope, and acts across users) or an end user (admitted by the route's self scope only, acting for
/// the user its subject names). Bound as a handler parameter; the route's policy has already let the caller through,
/// so the checks here are those that need the body or the stored item.
/// </summary>
public sealed class Caller
{
    private Caller(string? subject, Guid? user)
    {
        Subject = subject;
        User = user;
    }

    /// <summary>The token's subject: the last writer of what it writes.</summary>
    public string? Subject { get; }

    /// <summary>The end user's id; null for a service caller.</summary>
    public Guid? User { get; }

    public bool IsService => User is null;

    /// <summary>A user id taken from the token's subject: an end-user token acts for that user.</summary>
    public static Guid? UserIdOf(ClaimsPrincipal user) => Guid.TryParse(user.GetSubject(), out var id) ? id : null;

    public static Caller Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rule = Access.RuleOf(context) ?? throw new InvalidOperationException("The route declares no access rule (RequireAccess).");
        var principal = context.User;
        if (principal.HasScope(rule.ServiceScope))
        {
            return new Caller(principal.GetSubject(), null);
        }

        // The policy admitted the caller by the self scope only, which it grants to a subject that is a user id.
        return new Caller(principal.GetSubject(), UserIdOf(principal) ?? throw new InvalidOperationException("An end-user caller without a user id passed its policy."));
    }

    /// <summary>Minimal APIs bind a <see cref="Caller"/> parameter through this.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult<Caller?>(Of(context));

    /// <summary>
    /// The item as this caller may see it: a service caller sees every item, an end user only those of its own user.
    /// Another user's item is null, as a missing one is, so its existence is not revealed (404 either way).
    /// </summary>
    public T? Visible<T>(T? item, Func<T, Guid> owner)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(owner);
        return item is null || User is not { } self || owner(item) == self ? item : null;
    }

    /// <summary>
    /// The user a new item is for: a service caller names it (required); an end user may leave it out or name itself,
    /// and naming another user is 403 (decided before anything is read or written).
    /// </summary>
    public Guid UserFor(Guid? named, string field)
    {
        if (User is not { } self)
        {
            return named ?? throw new ValidationException([new FieldError(field, "is required: a user id (UUID).")]);
        }

        if (named is { } other && other != self)
        {
            throw Forbidden($"{field} names another user than the token's subject; leave it out to mean the token's own. {Access.EndUserReach}");
        }

        return self;
    }

    /// <summary>
    /// The author a comment records: the token's subject when it is a user id (an end user's always is). A service
    /// caller whose subject is a client id, not a user, writes a comment without an author (the seed allows one).
    /// </summary>
    public Guid? Author => User ?? (Guid.TryParse(Subject, out var id) ? id : null);

    /// <summary>Refuses an end user what only a service caller may do on a route both reach.</summary>
    public void EnsureService(string what)
    {
        if (!IsService)
        {
            throw Forbidden($"An end-user token may not {what}. {Access.EndUserReach}");
        }
    }

    private static ApiProblemException Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "Forbidden", detail);
}
