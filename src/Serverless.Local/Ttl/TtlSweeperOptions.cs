using Serverless.Data.Table;

namespace Serverless.Local.Ttl;

public sealed record TtlSweeperOptions
{
    public const string DefaultAttributeName = "ttl";

    /// <summary>The tables to sweep.</summary>
    public required IReadOnlyList<string> TableNames { get; init; }

    /// <summary>The TTL attribute (epoch seconds, a Number), as the table's TimeToLiveSpecification names it.</summary>
    public string AttributeName { get; init; } = DefaultAttributeName;

    /// <summary>The attribute that names an item's type, used only to count deletions by type.</summary>
    public string EntityTypeAttributeName { get; init; } = Attr.EntityType;

    /// <summary>Pause between sweeps of <see cref="TtlSweeper.RunAsync"/>.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);
}
