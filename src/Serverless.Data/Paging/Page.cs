namespace Serverless.Data.Paging;

/// <summary>One page of results; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>What the caller asks for: how many (default and maximum from <c>TableOptions</c>) and where to continue.</summary>
public sealed record PageRequest(int? Limit = null, string? Cursor = null);
