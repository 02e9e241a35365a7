using System.Security.Claims;
using Serverless.Data.Comments;
using Serverless.Domain.Comments;

namespace Serverless.Api.Comments;

/// <summary>
/// The seed's polymorphic comments: on a post, a product or a user, each target's comments newest first. Posts are
/// not stored here (the seed names them only as a comment target), so any post id is accepted; a product or user
/// must exist (404 otherwise). The author is the caller, never the body: the token's subject when it is a user id
/// (an existing, not deleted user; 400 on authorId otherwise). A user's comments are that user's data to an end-user
/// token; posts and products are not personal.
/// </summary>
public static class CommentsApi
{
    private static readonly (string Segment, CommentTarget Target, AccessRule Read, AccessRule Write)[] Targets =
    [
        ("posts", CommentTarget.Post, Access.PublicRead, Access.Author),
        ("products", CommentTarget.Product, Access.PublicRead, Access.Author),
        ("users", CommentTarget.User, Access.OwnUserRead, Access.OwnUserWrite),
    ];

    public static RouteGroupBuilder MapComments(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Comments");
        foreach (var (segment, target, read, write) in Targets)
        {
            var name = EnumNames.CommentTarget.Name(target);
            group.MapPost($"/{segment}/{{id}}/comments", (Guid id, CreateCommentRequest request, CommentRepository comments, Caller caller, ClaimsPrincipal principal, CancellationToken ct) =>
                    AddAsync(target, segment, id, request, comments, caller, principal, ct))
                .RequireAccess(write)
                .WithName($"Comment{name}")
                .WithSummary($"Comment on a {name.ToLowerInvariant()} as the caller (201, Location is the target's comment list).")
                .WithBodyProblems()
                .WithNotFoundProblem();

            group.MapGet($"/{segment}/{{id}}/comments", (Guid id, [AsParameters] PageParameters page, CommentRepository comments, CancellationToken ct) =>
                    ListAsync(target, id, page, comments, ct))
                .RequireAccess(read)
                .WithName($"ListCommentsOn{name}")
                .WithSummary($"Comments on a {name.ToLowerInvariant()}, newest first.")
                .WithPageProblems();
        }

        return group;
    }

    private static async Task<Created<CommentResponse>> AddAsync(
        CommentTarget target,
        string segment,
        Guid id,
        CreateCommentRequest request,
        CommentRepository comments,
        Caller caller,
        ClaimsPrincipal principal,
        CancellationToken cancellationToken)
    {
        var comment = new Comment { Id = Guid.NewGuid(), TargetType = target, TargetId = id, AuthorId = caller.Author, Content = request.Content };
        var created = await comments.AddAsync(comment, principal.GetWriter(), cancellationToken);

        // Comments have no address of their own (they are read as a target's list), so Location names that list.
        return TypedResults.Created($"/{segment}/{id:D}/comments", CommentResponse.From(created));
    }

    private static async Task<Ok<PageResponse<CommentResponse>>> ListAsync(
        CommentTarget target, Guid id, PageParameters page, CommentRepository comments, CancellationToken cancellationToken) =>
        TypedResults.Ok(PageResponse.From(await comments.ListByTargetAsync(target, id, page.ToRequest(), cancellationToken), CommentResponse.From));
}
