namespace Serverless.Data.Table;

public static class IndexNames
{
    /// <summary>User by email: partition <c>emailKey</c>, present only on users that are not deleted.</summary>
    public const string Email = "EmailIndex";

    /// <summary>Recent users: partition <c>yearMonth</c> ("yyyy-MM" or "yyyy-MM#shard"), sort <c>createdAt</c>.</summary>
    public const string CreatedDate = "CreatedDateIndex";

    /// <summary>Overloaded index for the other access patterns (status, words, cities, orders, roles, products).</summary>
    public const string Gsi1 = "GSI1";
}
