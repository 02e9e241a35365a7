using Serverless.Data.Tools.Statistics;


namespace Serverless.Local.Ttl;

/// <summary>What one sweep deleted, by entity type (sorted by name).</summary>
public sealed record TtlSweepResult(IReadOnlyDictionary<string, int> DeletedByEntityType)
{
    /// <summary>The type counted for items without an entity type, as <c>stats</c> names them.</summary>
    public const string NoEntityType = TableStatisticsReader.NoEntityType;

    public int Deleted => DeletedByEntityType.Values.Sum();
}
