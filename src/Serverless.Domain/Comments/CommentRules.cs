namespace Serverless.Domain.Comments;

public static class CommentRules
{
    public static IReadOnlyList<FieldError> Validate(Comment comment)
    {
        ArgumentNullException.ThrowIfNull(comment);
        var errors = new FieldErrorCollector();
        errors.NotEmpty("id", comment.Id);
        errors.Defined("targetType", comment.TargetType, EnumNames.CommentTarget);
        errors.NotEmpty("targetId", comment.TargetId);
        if (comment.AuthorId == Guid.Empty)
        {
            errors.Add("authorId", "must be a user id or absent.");
        }

        errors.RequiredString("content", comment.Content, Limits.MaxCommentContent);
        return errors.Errors;
    }

    public static void EnsureValid(Comment comment) => ValidationException.ThrowIfAny(Validate(comment));
}
