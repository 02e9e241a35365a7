using Serverless.Domain.Comments;

namespace Serverless.Api.Comments;

public sealed record CreateCommentRequest
{
    /// <remarks>There is no authorId: the author is the caller (the token's subject), so a body naming one is refused as an unknown member.</remarks>
    public required string Content { get; init; }
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
