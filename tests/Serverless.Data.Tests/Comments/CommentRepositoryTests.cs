using Serverless.Data.Paging;
using Serverless.Data.Tests.Support;
using Serverless.Domain;
using Serverless.Domain.Comments;
using Serverless.Testing;

namespace Serverless.Data.Tests.Comments;

public sealed class CommentRepositoryTests(DynamoDbLocalFixture fixture) : IAsyncLifetime
{
    private DataScope _data = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _data = await DataScope.CreateAsync(fixture);

    public ValueTask DisposeAsync() => _data.DisposeAsync();

    private Task<Comment> AddAsync(CommentTarget type, Guid target, string content = "Nice.") =>
        _data.Comments.AddAsync(new Comment { Id = Guid.NewGuid(), TargetType = type, TargetId = target, Content = content }, "user:reader", Ct);

    [Fact]
    public async Task Comments_on_a_target_come_newest_first_and_the_pages_walk_each_exactly_once_without_a_scan()
    {
        // A user's partition also holds the user item and its word and city items: none may show up as comments.
        var user = await _data.NewUserAsync();
        var added = new List<Comment>();
        for (var i = 0; i < 8; i++)
        {
            _data.Clock.Advance(TimeSpan.FromSeconds(1));
            added.Add(await AddAsync(CommentTarget.User, user.Id, $"comment {i}"));
        }

        await AddAsync(CommentTarget.Post, user.Id, "same id, other target type");
        _data.Table.Requests.Clear();

        var pages = await DataScope.AllPagesAsync(p => _data.Comments.ListByTargetAsync(CommentTarget.User, user.Id, p, Ct), limit: 3);

        Assert.Equal(Enumerable.Reverse(added), pages.SelectMany(p => p));
        Assert.Equal([3, 3, 2], pages.Select(p => p.Count));
        Assert.All(_data.Requests, op => Assert.Equal("Query", op));
    }

    [Fact]
    public async Task A_comment_on_a_post_needs_no_stored_post_and_reads_back_as_written()
    {
        var post = Guid.NewGuid();

        var added = await AddAsync(CommentTarget.Post, post, "First!");

        var listed = Assert.Single((await _data.Comments.ListByTargetAsync(CommentTarget.Post, post, new PageRequest(), Ct)).Items);
        Assert.Equal(added, listed);
        Assert.Equal((1L, "user:reader", DataScope.Start), (listed.Version, listed.LastWriter, listed.CreatedAt));
    }

    [Fact]
    public async Task A_comment_on_a_product_or_user_that_does_not_exist_is_not_found_and_nothing_is_written()
    {
        var deleted = await _data.NewUserAsync();
        await _data.Users.DeleteAsync(deleted.Id, deleted.Version, "t", Ct);
        var before = (await _data.AllItemsAsync()).Count;

        Assert.Equal("Product", (await Assert.ThrowsAsync<NotFoundException>(() => AddAsync(CommentTarget.Product, Guid.NewGuid()))).Entity);
        Assert.Equal("User", (await Assert.ThrowsAsync<NotFoundException>(() => AddAsync(CommentTarget.User, Guid.NewGuid()))).Entity);
        Assert.Equal("User", (await Assert.ThrowsAsync<NotFoundException>(() => AddAsync(CommentTarget.User, deleted.Id))).Entity);

        Assert.Equal(before, (await _data.AllItemsAsync()).Count);
    }

    [Fact]
    public async Task A_comment_on_an_existing_product_is_listed_under_that_product_only()
    {
        var (product, other) = (await _data.NewProductAsync("A"), await _data.NewProductAsync("B"));

        var added = await AddAsync(CommentTarget.Product, product.Id, "Sturdy.");

        Assert.Equal(new[] { added }, (await _data.Comments.ListByTargetAsync(CommentTarget.Product, product.Id, new PageRequest(), Ct)).Items);
        Assert.Empty((await _data.Comments.ListByTargetAsync(CommentTarget.Product, other.Id, new PageRequest(), Ct)).Items);
    }

    [Fact]
    public async Task An_invalid_comment_is_rejected_and_nothing_is_written()
    {
        var tooLong = new string('c', Limits.MaxCommentContent + 1);

        await Assert.ThrowsAsync<ValidationException>(() => AddAsync(CommentTarget.Post, Guid.NewGuid(), ""));
        await Assert.ThrowsAsync<ValidationException>(() => AddAsync(CommentTarget.Post, Guid.NewGuid(), tooLong));
        await Assert.ThrowsAsync<ValidationException>(() => AddAsync((CommentTarget)7, Guid.NewGuid()));
        await Assert.ThrowsAsync<ValidationException>(() => AddAsync(CommentTarget.Post, Guid.Empty));

        Assert.Empty(await _data.AllItemsAsync());
    }

    [Fact]
    public async Task A_cursor_for_one_target_is_rejected_for_another()
    {
        var post = Guid.NewGuid();
        await AddAsync(CommentTarget.Post, post);
        _data.Clock.Advance(TimeSpan.FromSeconds(1));
        await AddAsync(CommentTarget.Post, post);
        var cursor = (await _data.Comments.ListByTargetAsync(CommentTarget.Post, post, new PageRequest(1), Ct)).NextCursor;

        await Assert.ThrowsAsync<InvalidCursorException>(() => _data.Comments.ListByTargetAsync(CommentTarget.Post, Guid.NewGuid(), new PageRequest(1, cursor), Ct));
    }
}
