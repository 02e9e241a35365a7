using Serverless.Data.Table;

namespace Serverless.Data.Tools.Seeding;

/// <summary>How many items of each entity type a scenario writes.</summary>
public sealed record EntityCounts
{
    public long Users { get; init; }

    /// <summary>One per user: its own key (docs/privacy.md).</summary>
    public long UserKeys { get; init; }

    public long EmailMarkers { get; init; }

    public long UserWords { get; init; }

    public long UserCities { get; init; }

    public long Orders { get; init; }

    public long OrderItems { get; init; }

    public long Products { get; init; }

    public long Roles { get; init; }

    public long RoleNameMarkers { get; init; }

    public long UserRoles { get; init; }

    public long Comments { get; init; }

    public long Total => ByEntityType.Values.Sum();

    /// <summary>Keyed by the items' <c>entityType</c>, as <c>stats</c> groups them; types with no items are left out.</summary>
    public IReadOnlyDictionary<string, long> ByEntityType =>
        new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [EntityTypes.User] = Users,
            [EntityTypes.UserKey] = UserKeys,
            [EntityTypes.EmailMarker] = EmailMarkers,
            [EntityTypes.UserWord] = UserWords,
            [EntityTypes.UserCity] = UserCities,
            [EntityTypes.Order] = Orders,
            [EntityTypes.OrderItem] = OrderItems,
            [EntityTypes.Product] = Products,
            [EntityTypes.Role] = Roles,
            [EntityTypes.RoleNameMarker] = RoleNameMarkers,
            [EntityTypes.UserRole] = UserRoles,
            [EntityTypes.Comment] = Comments,
        }.Where(e => e.Value > 0).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    /// <summary>Counts items by their <c>entityType</c> attribute (for data sets built in memory, such as the edge cases).</summary>
    public static EntityCounts Of(IEnumerable<IReadOnlyDictionary<string, Amazon.DynamoDBv2.Model.AttributeValue>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var counts = items
            .GroupBy(i => i[Attr.EntityType].S, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        long Get(string type) => counts.TryGetValue(type, out var n) ? n : 0;
        return new EntityCounts
        {
            Users = Get(EntityTypes.User),
            UserKeys = Get(EntityTypes.UserKey),
            EmailMarkers = Get(EntityTypes.EmailMarker),
            UserWords = Get(EntityTypes.UserWord),
            UserCities = Get(EntityTypes.UserCity),
            Orders = Get(EntityTypes.Order),
            OrderItems = Get(EntityTypes.OrderItem),
            Products = Get(EntityTypes.Product),
            Roles = Get(EntityTypes.Role),
            RoleNameMarkers = Get(EntityTypes.RoleNameMarker),
            UserRoles = Get(EntityTypes.UserRole),
            Comments = Get(EntityTypes.Comment),
        };
    }
}
