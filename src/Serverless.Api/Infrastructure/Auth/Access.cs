using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Serverless.Api.Infrastructure.Auth;

/// <summary>Where an end-user token's own user must appear for a route to let it through.</summary>
public enum Ownership
{
    /// <summary>No end-user token reaches the route: only its service scope does.</summary>
    ServiceOnly,

    /// <summary>Nothing personal (products, comments on posts and products): any end-user token with the self scope.</summary>
    NotPersonal,

    /// <summary>The route's <c>{id}</c> is a user id, and it must be the token's subject (403 otherwise, nothing read).</summary>
    UserInPath,

    /// <summary>The query's <c>userId</c> must be the token's subject, or be left out to mean it (403 otherwise).</summary>
    UserInQuery,

    /// <summary>The body's <c>userId</c> must be the token's subject, or be left out to mean it (403 otherwise, in the handler).</summary>
    UserInBody,

    /// <summary>The stored item's user must be the token's subject: known only once read, so another user's item is 404, as none is.</summary>
    OwnerOfItem,

    /// <summary>Creates as the caller: the author is the token's subject, whoever owns the target.</summary>
    AsAuthor,
}

/// <summary>
/// What lets a caller through one route: its service scope (acts across users), and, when an end user may use it,
/// the self scope with the check its <see cref="Ownership"/> names. The policy is named by the scopes that may reach
/// the route, space-separated as in a token, which is also the list API Gateway's JWT authorizer is given for it
/// (it admits a token with any one of them).
/// </summary>
public sealed record AccessRule(string Name, string ServiceScope, string? SelfScope, Ownership Ownership, string EndUser)
{
    public IReadOnlyList<string> Scopes { get; } = SelfScope is null ? [ServiceScope] : [ServiceScope, SelfScope];

    public string Policy => string.Join(' ', Scopes);

    /// <summary>The route parameter or query member naming the user, for the rules that check one before anything is read.</summary>
    public const string UserParameter = "id";

    public const string UserQuery = "userId";
}

/// <summary>
/// The catalogue of access rules: every route declares one (<see cref="RequireAccess"/>), and docs/security.md lists
/// each route with its rule. The one judgement of a caller against a rule is <see cref="Refusal"/>: the policies grant
/// what it does not refuse, and a 403 says why in its words.
/// </summary>
public static class Access
{
    public static readonly AccessRule ServiceRead = new(
        "service", Scopes.Read, null, Ownership.ServiceOnly, "refused: it shows other users' data");

    public static readonly AccessRule ServiceWrite = new(
        "service", Scopes.Write, null, Ownership.ServiceOnly, "refused: it changes what is not the user's own");

    public static readonly AccessRule Admin = new(
        "admin", Scopes.Admin, null, Ownership.ServiceOnly, "refused: administration");

    public static readonly AccessRule PublicRead = new(
        "public", Scopes.Read, Scopes.SelfRead, Ownership.NotPersonal, "may read it: it holds nothing personal");

    public static readonly AccessRule OwnUserRead = new(
        "own-user", Scopes.Read, Scopes.SelfRead, Ownership.UserInPath, "only when {id} is its subject");

    public static readonly AccessRule OwnUserWrite = new(
        "own-user", Scopes.Write, Scopes.SelfWrite, Ownership.UserInPath, "only when {id} is its subject");

    public static readonly AccessRule OwnOrders = new(
        "own-user-query", Scopes.Read, Scopes.SelfRead, Ownership.UserInQuery, "only its own orders: ?userId= is its subject or left out");

    public static readonly AccessRule PlaceOrder = new(
        "own-user-body", Scopes.Write, Scopes.SelfWrite, Ownership.UserInBody, "only in its own name: userId is its subject or left out");

    public static readonly AccessRule OwnOrderRead = new(
        "own-order", Scopes.Read, Scopes.SelfRead, Ownership.OwnerOfItem, "only its own order; another user's is 404");

    public static readonly AccessRule OwnOrderWrite = new(
        "own-order", Scopes.Write, Scopes.SelfWrite, Ownership.OwnerOfItem, "only cancel its own order; another user's is 404");

    public static readonly AccessRule Author = new(
        "author", Scopes.Write, Scopes.SelfWrite, Ownership.AsAuthor, "may comment; the author is its subject");

    public static IReadOnlyList<AccessRule> All { get; } =
        [ServiceRead, ServiceWrite, Admin, PublicRead, OwnUserRead, OwnUserWrite, OwnOrders, PlaceOrder, OwnOrderRead, OwnOrderWrite, Author];

    /// <summary>What an end-user token may do, said where it is refused.</summary>
    public const string EndUserReach =
        "An end-user token (self.read, self.write) reaches only the user its subject (sub) names: that user, its orders "
        + "(read, place, cancel), its roles (read), comments (as their author) and the products.";

    /// <summary>The route's policy (its scopes) and its rule, declared once on a route or a group of routes.</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, AccessRule rule)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(rule);
        return builder.RequireAuthorization(rule.Policy).WithMetadata(rule);
    }

    /// <summary>The rule of the endpoint the request was routed to, if it declares one.</summary>
    public static AccessRule? RuleOf(HttpContext context) => context?.GetEndpoint()?.Metadata.GetMetadata<AccessRule>();

    /// <summary>For the policies: a request passes when its endpoint has a rule and the rule does not refuse the caller.</summary>
    internal static bool Admits(AuthorizationHandlerContext context) =>
        context.Resource is HttpContext http && RuleOf(http) is { } rule && Refusal(context.User, rule, http) is null;

    /// <summary>
    /// Why the rule refuses the caller, or null when it lets it through. Decided from the token and the request alone,
    /// before anything is read: a path or query naming another user is refused the same whether that user exists or not.
    /// </summary>
    public static string? Refusal(ClaimsPrincipal user, AccessRule rule, HttpContext request)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(request);
        var granted = user.GetScopes();
        if (granted.Contains(rule.ServiceScope, StringComparer.Ordinal))
        {
            // Writers must be identifiable: their subject becomes the item's last writer and the audit's changed_by.
            return rule.ServiceScope != Scopes.Read && user.GetSubject() is null
                ? "This route writes, and a write needs a token with a subject (sub): the subject is recorded as the item's last writer."
                : null;
        }

        if (rule.SelfScope is null || !granted.Contains(rule.SelfScope, StringComparer.Ordinal))
        {
            var has = granted.Count == 0 ? "no scopes" : string.Join(' ', granted);
            var needs = $"This route needs scope {string.Join(" or ", rule.Scopes)}; the token has: {has}.";
            return rule.SelfScope is null && granted.Any(Scopes.Self.Contains)
                ? $"{needs} It is for service callers. {EndUserReach}"
                : needs;
        }

        if (Caller.UserIdOf(user) is not { } self)
        {
            return $"An end-user token ({rule.SelfScope}) acts for the user its subject (sub) names, so its subject must be a user id (UUID).";
        }

        return rule.Ownership switch
        {
            Ownership.UserInPath when !Names(request.Request.RouteValues[AccessRule.UserParameter]?.ToString(), self) =>
                $"This route names another user than the token's subject. {EndUserReach}",
            Ownership.UserInQuery when request.Request.Query.TryGetValue(AccessRule.UserQuery, out var named) && !Names(named.ToString(), self) =>
                $"userId names another user than the token's subject; leave it out to mean the token's own. {EndUserReach}",
            _ => null,
        };
    }

    private static bool Names(string? value, Guid user) => Guid.TryParse(value, out var id) && id == user;
}
