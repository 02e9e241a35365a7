using Serverless.Data.Table;

namespace Serverless.Api.Infrastructure.Data;

/// <summary>
/// Configuration section <c>Table</c>, bound here and turned into the data layer's <see cref="TableOptions"/>.
/// A mutable mirror because <see cref="TableOptions"/> has init-only members, which the generated (AOT-safe)
/// configuration binder skips; a test checks that every member of <see cref="TableOptions"/> has one here.
/// </summary>
public sealed class TableSettings
{
    private static readonly TableOptions Defaults = new();

    public string TableName { get; set; } = Defaults.TableName;

    public int CreatedDateShards { get; set; } = Defaults.CreatedDateShards;

    public TimeSpan SoftDeleteRetention { get; set; } = Defaults.SoftDeleteRetention;

    public TimeSpan AuditRetention { get; set; } = Defaults.AuditRetention;

    public string CursorSigningKey { get; set; } = Defaults.CursorSigningKey;

    public string PreviousCursorSigningKey { get; set; } = Defaults.PreviousCursorSigningKey;

    public bool PlaintextLookups { get; set; } = Defaults.PlaintextLookups;

    public bool SealOnRead { get; set; } = Defaults.SealOnRead;

    public int DefaultPageLimit { get; set; } = Defaults.DefaultPageLimit;

    public int MaxPageLimit { get; set; } = Defaults.MaxPageLimit;

    public int MaxRecentDays { get; set; } = Defaults.MaxRecentDays;

    public TableOptions ToOptions() => new()
    {
        TableName = TableName,
        CreatedDateShards = CreatedDateShards,
        SoftDeleteRetention = SoftDeleteRetention,
        AuditRetention = AuditRetention,
        CursorSigningKey = CursorSigningKey,
        PreviousCursorSigningKey = PreviousCursorSigningKey,
        PlaintextLookups = PlaintextLookups,
        SealOnRead = SealOnRead,
        DefaultPageLimit = DefaultPageLimit,
        MaxPageLimit = MaxPageLimit,
        MaxRecentDays = MaxRecentDays,
    };
}
