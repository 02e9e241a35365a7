namespace Serverless.Data.Reading;

/// <summary>
/// DynamoDB deletes expired items only eventually (typically within days, and DynamoDB Local never), so every
/// read hides items whose <c>ttl</c> has passed by itself: in code after GetItem/BatchGetItem, and as a
/// FilterExpression on every Query.
/// </summary>
public static class ExpiryFilter
{
    public const string TtlName = "#ttl";
    public const string NowValue = ":now";

    /// <summary>The Query filter that keeps items without a ttl or with one still in the future.</summary>
    public const string Expression = "(attribute_not_exists(" + TtlName + ") OR " + TtlName + " > " + NowValue + ")";

    public static bool IsExpired(IReadOnlyDictionary<string, AttributeValue>? item, DateTimeOffset now)
    {
        if (item is null || !item.TryGetValue(Attr.Ttl, out var ttl) || ttl.N is null)
        {
            return false;
        }

        // TTL is epoch seconds; an item is gone from the moment its ttl is not in the future.
        return new ItemReader(item).Long(Attr.Ttl) <= now.ToUnixTimeSeconds();
    }

    /// <summary>The item, or null when it is missing or expired.</summary>
    public static Dictionary<string, AttributeValue>? Live(Dictionary<string, AttributeValue>? item, DateTimeOffset now) =>
        item is null || item.Count == 0 || IsExpired(item, now) ? null : item;

    /// <summary>Adds the expiry condition to a Query's filter (AND-ed with any filter already there).</summary>
    public static QueryRequest ExcludeExpired(this QueryRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.FilterExpression = string.IsNullOrEmpty(request.FilterExpression)
            ? Expression
            : $"({request.FilterExpression}) AND {Expression}";
        request.ExpressionAttributeNames ??= [];
        request.ExpressionAttributeNames[TtlName] = Attr.Ttl;
        request.ExpressionAttributeValues ??= [];
        request.ExpressionAttributeValues[NowValue] = Av.N(now.ToUnixTimeSeconds());
        return request;
    }
}
