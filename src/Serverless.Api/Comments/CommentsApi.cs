using System.Security.Claims;
using Serverless.Data.Comments;
using Serverless.Domain.Comments;

namespace Serverless.Api.Comments;

/// <summary>
/// The seed's polymorphic comments: on a post, a product or a user, each target's comments newest first. Posts are
/// not stored here (the seed names them only as a comment target), so any post id is accepted; a product or user
/// must exist (404 otherwise). An author, when given, must be a user that exists and is not deleted (400 on authorId).
/// </summary>
public static class CommentsApi
{
    private static readonly (string Segment, CommentTarget Target)[] Targets =
    [
        ("posts", CommentTarget.Post),
        ("products", CommentTarget.Product),
        ("users", CommentTarget.User),
    ];

    public static RouteGroupBuilder MapComments(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/").WithTags("Comments");
        var reads = group.MapGroup("").RequireAuthorization(Scopes.Read);
        var writes = group.MapGroup("").RequireAuthorization(Scopes.Write);
        foreach (var (segment, target) in Targets)
        {
            var name = EnumNames.CommentTarget.Name(target);
            writes.MapPost($"/{segment}/{{id}}/comments", (Guid id, CreateCommentRequest request, CommentRepository comments, ClaimsPrincipal caller, CancellationToken ct) =>
                    AddAsync(target, segment, id, request, comments, caller, ct))
                .WithName($"Comment{name}")
                .WithSummary($"Comment on a {name.ToLowerInvariant()} (201, Location is the target's comment list).")
                .WithBodyProblems()
                .WithNotFoundProblem();

            reads.MapGet($"/{segment}/{{id}}/comments", (Guid id, [AsParameters] PageParameters page, CommentRepository comments, CancellationToken ct) =>
                    ListAsync(target, id, page, comments, ct))
                .WithName($"ListCommentsOn{name}")
                .WithSummary($"Comments on a {name.ToLowerInvariant()}, newest first.")
                .WithPageProblems();
        }

        return group;
    }

    private static async Task<Created<CommentResponse>> AddAsync(
        CommentTarget target, string segment, Guid id, CreateCommentRequest request, CommentRepository comments, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var comment = new Comment { Id = Guid.NewGuid(), TargetType = target, TargetId = id, AuthorId = request.AuthorId, Content = request.Content };
        var created = await comments.AddAsync(comment, caller.GetWriter(), cancellationToken);

        // Comments have no address of their own (they are read as a target's list), so Location names that list.
        return TypedResults.Created($"/{segment}/{id:D}/comments", CommentResponse.From(created));
    }

    private static async Task<Ok<PageResponse<CommentResponse>>> ListAsync(
        CommentTarget target, Guid id, PageParameters page, CommentRepository comments, CancellationToken cancellationToken) =>
        TypedResults.Ok(PageResponse.From(await comments.ListByTargetAsync(target, id, page.ToRequest(), cancellationToken), CommentResponse.From));
}
