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
