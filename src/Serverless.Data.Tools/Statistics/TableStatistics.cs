using Serverless.Data.Items;

namespace Serverless.Data.Tools.Statistics;

/// <summary>The seed's health check for the single table: what is in it by entity type, and how the table is set up.</summary>
public sealed record TableStatistics
{
    public required string TableName { get; init; }

    /// <summary>Counted by a full Scan: exact, but costs a read of every item.</summary>
    public required IReadOnlyList<EntityStatistics> Entities { get; init; }

    public long ScannedItems => Entities.Sum(e => e.Items);

    public long ScannedBytes => Entities.Sum(e => e.Bytes);

    public required string TableStatus { get; init; }

    /// <summary>DynamoDB's own figures; it refreshes them about every six hours, so they lag behind the scan.</summary>
    public long DescribedItemCount { get; init; }

    public long DescribedSizeBytes { get; init; }

    public required IReadOnlyList<IndexStatistics> Indexes { get; init; }

    public bool StreamEnabled { get; init; }

    public string? StreamViewType { get; init; }

    public string? LatestStreamArn { get; init; }

    public required string TtlStatus { get; init; }

    public string? TtlAttribute { get; init; }
}

/// <param name="EntityType">The items' <c>entityType</c>; "(none)" for items without one.</param>
/// <param name="Bytes">DynamoDB's size of the items (attribute names and values), as <c>ItemSize</c> computes it.</param>
public sealed record EntityStatistics(string EntityType, long Items, long Bytes);

public sealed record IndexStatistics(string Name, string Status, long DescribedItemCount, long DescribedSizeBytes);
