namespace Serverless.Data.Items;

/// <summary>The attributes every item carries, written in one place so no mapper forgets one.</summary>
internal static class CommonAttributes
{
    /// <summary>Key, entity type and schema version: what any item starts with.</summary>
    public static Dictionary<string, AttributeValue> NewItem(ItemKey key, string entityType, int schemaVersion) => new(StringComparer.Ordinal)
    {
        [Attr.PK] = Av.S(key.PK),
        [Attr.SK] = Av.S(key.SK),
        [Attr.EntityType] = Av.S(entityType),
        [Attr.SchemaVersion] = Av.N(schemaVersion),
    };

    /// <summary>Version, timestamps and last writer of an entity (the audit trail's changed_by comes from lastWriter).</summary>
    public static void AddEntityState(Dictionary<string, AttributeValue> item, IEntity entity)
    {
        item[Attr.Version] = Av.N(entity.Version);
        item[Attr.CreatedAt] = Av.Time(entity.CreatedAt);
        item[Attr.UpdatedAt] = Av.Time(entity.UpdatedAt);
        item.AddIfNotNull(Attr.LastWriter, entity.LastWriter);
    }

    /// <summary>What <see cref="AddEntityState"/> wrote, read back onto <paramref name="entity"/>.</summary>
    public static T ReadEntityState<T>(ItemReader reader, T entity) where T : Entity
    {
        Entity read = entity;
        return (T)(read with
        {
            CreatedAt = reader.Time(Attr.CreatedAt),
            UpdatedAt = reader.Time(Attr.UpdatedAt),
            Version = reader.Long(Attr.Version),
            LastWriter = reader.OptionalString(Attr.LastWriter),
        });
    }
}
