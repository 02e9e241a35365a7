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
}
