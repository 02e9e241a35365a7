using Microsoft.AspNetCore.Mvc;
using Serverless.Data.Paging;

namespace Serverless.Api.Infrastructure.Paging;

/// <summary>
/// The page every list takes, <c>?cursor=&amp;limit=</c>, bound as one <c>[AsParameters]</c> argument. Both are taken as
/// text and checked by <see cref="ToRequest"/>, so a bad limit is a 400 naming <c>limit</c>.
/// </summary>
public readonly record struct PageParameters
{
    [FromQuery(Name = "cursor")]
    public string? Cursor { get; init; }

    [FromQuery(Name = "limit")]
    public string? Limit { get; init; }

    public PageRequest ToRequest() => PageQuery.From(Cursor, Limit);
}
