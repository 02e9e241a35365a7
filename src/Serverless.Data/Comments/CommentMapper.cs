using Serverless.Domain.Comments;

namespace Serverless.Data.Comments;

/// <summary>Comment &lt;-&gt; &lt;TARGET&gt;#targetId / COMMENT#createdAt#id: a target's comments sit in the target's partition, by time.</summary>
public static class CommentMapper
{
    public static Dictionary<string, AttributeValue> ToItem(Comment comment)
    {
        ArgumentNullException.ThrowIfNull(comment);
        var key = Keys.Comment(comment.TargetType, comment.TargetId, comment.CreatedAt, comment.Id);
        var item = CommonAttributes.NewItem(key, EntityTypes.Comment, SchemaVersions.Initial);
        CommonAttributes.AddEntityState(item, comment);
        item[Attr.Id] = Av.Guid(comment.Id);
        item[Attr.TargetType] = Av.S(comment.TargetType.ToName());
        item[Attr.TargetId] = Av.Guid(comment.TargetId);
        if (comment.AuthorId is { } author)
        {
            item[Attr.AuthorId] = Av.Guid(author);
        }

        item[Attr.Content] = Av.S(comment.Content);
        return item;
    }

    public static Comment FromItem(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var reader = new ItemReader(item);
        _ = reader.ExpectEntity(EntityTypes.Comment, SchemaVersions.Initial);
        return CommonAttributes.ReadEntityState(reader, new Comment
        {
            Id = reader.Guid(Attr.Id),
            TargetType = reader.Enum(Attr.TargetType, EnumNames.CommentTarget),
            TargetId = reader.Guid(Attr.TargetId),
            AuthorId = reader.OptionalGuid(Attr.AuthorId),
            Content = reader.String(Attr.Content),
        });
    }
}
