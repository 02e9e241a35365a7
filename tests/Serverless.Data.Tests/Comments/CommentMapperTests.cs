using Serverless.Data.Comments;
using Serverless.Data.Tests.Support;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Comments;

/// <summary>
/// A comment item survives write-read-write unchanged, and its stored shape is pinned under Approved/ (a
/// renamed attribute or a changed encoding fails here first).
/// </summary>
public sealed class CommentMapperTests
{
    [Fact]
    public void A_comment_survives_write_read_write()
    {
        var comment = CommentMapper.ToItem(Samples.Comment());
        Assert.Equal(ItemJson.Render(comment), ItemJson.Render(CommentMapper.ToItem(CommentMapper.FromItem(comment))));
    }

    [Fact]
    public void Comment_item_shape_is_pinned() =>
        Approvals.Verify("Comment", ItemJson.Render(CommentMapper.ToItem(Samples.Comment())));
}
