using Serverless.Data.Paging;

namespace Serverless.Api.Infrastructure.Paging;

/// <summary>
/// Every list answers with one page: <c>{ "items": [...], "nextCursor": "..." }</c>. The cursor is opaque and
/// signed; pass it back as <c>?cursor=</c> for the next page; it is null on the last page.
/// </summary>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, string? NextCursor);

internal static class PageResponse
{
    public static PageResponse<TOut> From<TIn, TOut>(Page<TIn> page, Func<TIn, TOut> map) =>
        new([.. page.Items.Select(map)], page.NextCursor);
}
