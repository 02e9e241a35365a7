using Serverless.Domain.Comments;

namespace Serverless.Api.Comments;

public sealed record CreateCommentRequest
{
    public required string Content { get; init; }

    /// <summary>The commenting user, if the comment has one (the seed does not require an author): an existing, not deleted user (400 otherwise).</summary>
    public Guid? AuthorId { get; set; }
}

public sealed record CommentResponse(
    Guid Id, CommentTarget TargetType, Guid TargetId, Guid? AuthorId, string Content, DateTimeOffset CreatedAt, long Version)
{
    public static CommentResponse From(Comment c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Id, c.TargetType, c.TargetId, c.AuthorId, c.Content, c.CreatedAt, c.Version);
    }
}
