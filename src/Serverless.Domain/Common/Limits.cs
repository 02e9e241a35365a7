namespace Serverless.Domain;

/// <summary>The seed's size limits in one place, so rules, mapping and docs agree.</summary>
public static class Limits
{
    /// <summary>VARCHAR(255): every string field of the seed unless said otherwise.</summary>
    public const int MaxString = 255;

    /// <summary>Comment content is TEXT in the seed; bounded here so an item stays far below 400 KB.</summary>
    public const int MaxCommentContent = 10_000;

    /// <summary>decimal(10,2): eight integer digits and two fractional ones.</summary>
    public const decimal MaxMoney = 99_999_999.99m;

    public const int MoneyScale = 2;

    /// <summary>Entries of a metadata or preferences map.</summary>
    public const int MaxMapEntries = 50;

    /// <summary>Each address is an index item written in the user's transaction (100 actions at most).</summary>
    public const int MaxAddresses = 10;

    /// <summary>Each distinct name word is an index item written in the user's transaction (100 actions at most).</summary>
    public const int MaxNameWords = 20;

    /// <summary>Each order item is written in the order's transaction (100 actions at most).</summary>
    public const int MaxOrderItems = 50;

    /// <summary>audit_log.table_name is VARCHAR(50) in the seed.</summary>
    public const int MaxAuditEntityType = 50;

    /// <summary>A DynamoDB stream SequenceNumber is 21 to 40 decimal digits (the service's documented bound).</summary>
    public const int MaxSequenceNumberDigits = 40;
}
