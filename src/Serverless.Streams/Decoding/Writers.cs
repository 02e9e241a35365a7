namespace Serverless.Streams.Decoding;

/// <summary>The <c>changed_by</c> values that are not a caller's subject.</summary>
public static class Writers
{
    /// <summary>DynamoDB's TTL deleted the item (userIdentity Service / dynamodb.amazonaws.com).</summary>
    public const string TimeToLive = "system:ttl";

    /// <summary>The image has no <c>lastWriter</c> (an item written outside the data layer).</summary>
    public const string Unknown = "system:unknown";

    /// <summary>The denormalization function, when it copies a user's email and name onto the user's orders.</summary>
    public const string Denormalize = "system:denormalize";

    /// <summary>The purge function, when it cascades a TTL deletion of a user.</summary>
    public const string Purge = "system:purge";
}
