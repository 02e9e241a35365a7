namespace Serverless.Domain.Comments;

/// <summary>The seed's commentable_type.</summary>
public enum CommentTarget { Post, Product, User }

public sealed record Comment : Entity
{
    public required Guid Id { get; init; }

    public required CommentTarget TargetType { get; init; }

    public required Guid TargetId { get; init; }

    public Guid? AuthorId { get; init; }

    public required string Content { get; init; }
}
