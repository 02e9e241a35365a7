using Serverless.Domain.Comments;
using Serverless.Domain.Users;

namespace Serverless.Data.Comments;

/// <summary>
/// The seed's polymorphic comments: each lives in its target's partition (POST#id, PRODUCT#id or USER#id) under
/// COMMENT#createdAt#id, so a target's comments, newest first, are one backwards Query.
/// Products and users are ours and must exist when commented on; posts belong to another system, so a post id is
/// taken as given. <see cref="Comment.AuthorId"/> is optional (the seed's comments have no author column), but when
/// given it must name a user that exists and is not deleted.
/// </summary>
public sealed class CommentRepository(TableAccess table) : TableRepository(table)
{
    /// <summary>Adds the comment at version 1, created now.</summary>
    /// <exception cref="ValidationException">The comment breaks a rule, or its author is no user (or a deleted one); nothing was written.</exception>
    /// <exception cref="NotFoundException">The product or user commented on does not exist (or the user is deleted); nothing was written.</exception>
    public async Task<Comment> AddAsync(Comment comment, string lastWriter, CancellationToken cancellationToken)
    {
        var created = Created(comment, lastWriter);
        CommentRules.EnsureValid(created);

        var targetId = Keys.Id(created.TargetId);
        var actions = new List<WriteAction>();
        switch (created.TargetType)
        {
            case CommentTarget.Product:
                // A comment must not outlive the check that its product exists.
                actions.Add(WriteAction.Check(Table, Keys.Product(created.TargetId), WriteCondition.Exists, ConditionFailures.NotFound("Product", targetId)));
                break;
            case CommentTarget.User:
                // Comments on a user are purged with the user; one added after the purge ran would be orphaned.
                actions.Add(WriteAction.Check(Table, Keys.User(created.TargetId), WriteCondition.UserIsLive, ConditionFailures.NotFound("User", targetId)));
                break;
        }

        // Checked in the same transaction, so the author cannot be deleted between the check and the write. A user
        // commenting on their own profile is checked once (a transaction may touch an item only once), as the target.
        if (created.AuthorId is { } author && !(created.TargetType == CommentTarget.User && author == created.TargetId))
        {
            actions.Add(WriteAction.Check(Table, Keys.User(author), WriteCondition.UserIsLive, stored => new ValidationException(
                [new FieldError("authorId", stored is null ? "no user with this id." : "names a deleted user; restore the user or leave authorId out.")])));
        }

        // A random id in a time-ordered key should never collide; if it does, the other comment must stay.
        var item = CommentMapper.ToItem(created);
        var conflict = ConditionFailures.Conflict("A comment with this id already exists.", "id");
        if (actions.Count == 0)
        {
            await Access.Writer.PutAsync(Table, item, WriteCondition.NotExists, conflict, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            actions.Add(WriteAction.Put(Table, item, WriteCondition.NotExists, conflict));
            await Access.Transactions.WriteAsync(actions, cancellationToken).ConfigureAwait(false);
        }

        return created;
    }

    /// <summary>Comments on a target, newest first: one backwards Query on the target's partition per page.</summary>
    /// <exception cref="ValidationException">The target type is not Post, Product or User.</exception>
    public async Task<Page<Comment>> ListByTargetAsync(CommentTarget targetType, Guid targetId, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var errors = new FieldErrorCollector();
        errors.Defined("targetType", targetType, EnumNames.CommentTarget);
        errors.ThrowIfAny();
        return await Access.PageAsync(
            // The prefix: a product's or user's partition also holds the product or user item and its index items.
            PartitionQuery.OnTable(Keys.CommentPartition(targetType, targetId), KeyPrefix.Comment) with { NewestFirst = true },
            QueryFingerprint.Of("comments.target", targetType.ToName(), Keys.Id(targetId)),
            page,
            CommentMapper.FromItem,
            cancellationToken).ConfigureAwait(false);
    }

}
