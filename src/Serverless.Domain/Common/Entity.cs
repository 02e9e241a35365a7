namespace Serverless.Domain;

/// <summary>What every stored entity carries besides its own fields.</summary>
public interface IEntity
{
    /// <summary>Optimistic-concurrency version: 1 after create, +1 on every write.</summary>
    long Version { get; }

    DateTimeOffset CreatedAt { get; }

    DateTimeOffset UpdatedAt { get; }

    /// <summary>Subject of the caller that wrote this version (the audit trail's changed_by).</summary>
    string? LastWriter { get; }
}

/// <summary>
/// <see cref="IEntity"/> as init properties: the base of every entity record, so that the state is declared once and
/// one reader can set it on any entity (<c>with</c> through this type keeps the record's runtime type).
/// </summary>
public abstract record Entity : IEntity
{
    public long Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public string? LastWriter { get; init; }
}
