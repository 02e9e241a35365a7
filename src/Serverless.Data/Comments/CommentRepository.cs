using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Mapping;
using Serverless.Data.Paging;
using Serverless.Data.Reading;
using Serverless.Data.Table;
using Serverless.Data.Writing;
using Serverless.Domain;
using Serverless.Domain.Comments;
using Serverless.Domain.Users;

namespace Serverless.Data.Comments;

/// <summary>
/// The seed's polymorphic comments: each lives in its target's partition (POST#id, PRODUCT#id or USER#id) under
/// COMMENT#createdAt#id, so a target's comments, newest first, are one backwards Query.
/// Products and users are ours and must exist when commented on; posts belong to another system, so a post id is
/// taken as given. <see cref="Comment.AuthorId"/> is informational (the seed's comments have no author column).
/// </summary>
public sealed class CommentRepository
{
    private readonly TableOptions _options;
    private readonly TimeProvider _time;
    private readonly TransactionWriter _transactions;
    private readonly ConditionalWriter _writer;
    private readonly QueryPaging _paging;

    public CommentRepository(IAmazonDynamoDB client, TableOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _options = options;
        _time = timeProvider;
        _transactions = new TransactionWriter(client, timeProvider);
        _writer = new ConditionalWriter(client);
        _paging = new QueryPaging(client, new CursorCodec(options), timeProvider);
    }

    private string Table => _options.TableName;

    /// <summary>Adds the comment at version 1, created now.</summary>
    /// <exception cref="ValidationException">The comment breaks a rule; nothing was written.</exception>
    /// <exception cref="NotFoundException">The product or user commented on does not exist (or the user is deleted); nothing was written.</exception>
    public async Task<Comment> AddAsync(Comment comment, string lastWriter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(comment);
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var now = Now();
        var created = comment with { CreatedAt = now, UpdatedAt = now, Version = 1, LastWriter = lastWriter };
        CommentRules.EnsureValid(created);

        var item = CommentMapper.ToItem(created);
        // A random id in a time-ordered key should never collide; if it does, the other comment must stay.
        var conflict = ConditionFailures.Conflict("A comment with this id already exists.", "id");
        var targetId = Keys.Id(created.TargetId);
        switch (created.TargetType)
        {
            case CommentTarget.Product:
                await _transactions.WriteAsync(
                    [
                        // A comment must not outlive the check that its product exists.
                        WriteAction.Check(Table, Keys.Product(created.TargetId), WriteCondition.Exists, ConditionFailures.NotFound("Product", targetId)),
                        WriteAction.Put(Table, item, WriteCondition.NotExists, conflict),
                    ],
                    cancellationToken).ConfigureAwait(false);
                break;
            case CommentTarget.User:
                await _transactions.WriteAsync(
                    [
                        // Comments on a user are purged with the user; one added after the purge ran would be orphaned.
                        WriteAction.Check(
                            Table,
                            Keys.User(created.TargetId),
                            new WriteCondition(
                                "attribute_exists(#pk) AND #status <> :deleted",
                                new Dictionary<string, string> { ["#pk"] = Attr.PK, ["#status"] = Attr.Status },
                                new Dictionary<string, AttributeValue> { [":deleted"] = Av.S(UserStatus.Deleted.ToName()) }),
                            ConditionFailures.NotFound("User", targetId)),
                        WriteAction.Put(Table, item, WriteCondition.NotExists, conflict),
                    ],
                    cancellationToken).ConfigureAwait(false);
                break;
            default:
                await _writer.PutAsync(Table, item, WriteCondition.NotExists, conflict, cancellationToken).ConfigureAwait(false);
                break;
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
        var limit = PageLimits.Resolve(page.Limit, _options);
        var request = new QueryRequest
        {
            TableName = Table,
            // begins_with: a product's or user's partition also holds the product or user item and its index items.
            KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :comment)",
            ExpressionAttributeNames = new() { ["#pk"] = Attr.PK, ["#sk"] = Attr.SK },
            ExpressionAttributeValues = new()
            {
                [":pk"] = Av.S(Keys.CommentPartition(targetType, targetId)),
                [":comment"] = Av.S(KeyPrefix.Comment),
            },
            ScanIndexForward = false,
        };
        var result = await _paging.QueryPageAsync(
            request,
            QueryFingerprint.Of("comments.target", targetType.ToName(), Keys.Id(targetId)),
            TableDefinition.KeyNamesOf(null),
            limit,
            page.Cursor,
            cancellationToken).ConfigureAwait(false);
        return new Page<Comment>([.. result.Items.Select(CommentMapper.FromItem)], result.NextCursor);
    }

    /// <summary>Now, to the millisecond: what is stored is exactly what is returned.</summary>
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
}
