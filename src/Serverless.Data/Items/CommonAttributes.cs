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
}
