namespace Serverless.Domain.Comments;

public sealed class CommentRules : Rules<Comment, CommentRules>, IRuleSet<Comment>
{
    public static void Check(Comment comment, FieldErrorCollector errors)
    {
        errors.NotEmpty("id", comment.Id);
        errors.Defined("targetType", comment.TargetType, EnumNames.CommentTarget);
        errors.NotEmpty("targetId", comment.TargetId);
        if (comment.AuthorId == Guid.Empty)
        {
            errors.Add("authorId", "must be a user id or absent.");
        }

        errors.RequiredString("content", comment.Content, Limits.MaxCommentContent, TextKind.MultiLine);
    }
}
