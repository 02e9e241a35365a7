using System.Runtime.CompilerServices;

namespace Serverless.Data;

/// <summary>
/// What a repository starts from: the shared <see cref="TableAccess"/> and the table's name. A repository adds only
/// its entity's knowledge (keys, mapping, conditions) on top.
/// </summary>
public abstract class TableRepository
{
    protected TableRepository(TableAccess table)
    {
        Access = table ?? throw new ArgumentNullException(nameof(table));
    }

    /// <summary>The client, settings, clock and shared read and write machinery of the table.</summary>
    protected TableAccess Access { get; }

    protected string Table => Access.TableName;

    /// <summary>The entity as created now: version 1, created and updated at the table's clock, by <paramref name="lastWriter"/>.</summary>
    protected T Created<T>(T entity, string lastWriter, [CallerArgumentExpression(nameof(entity))] string? entityName = null)
        where T : Entity
    {
        ArgumentNullException.ThrowIfNull(entity, entityName);
        ArgumentException.ThrowIfNullOrWhiteSpace(lastWriter);
        var now = Access.Now();
        Entity created = entity;
        return (T)(created with { CreatedAt = now, UpdatedAt = now, Version = 1, LastWriter = lastWriter });
    }
}
