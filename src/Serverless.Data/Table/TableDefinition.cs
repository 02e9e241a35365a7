namespace Serverless.Data.Table;

/// <summary>
/// The table as code: the one source for local creation (<see cref="TableSetup"/>) and the reference that
/// <c>template.yaml</c> is tested against.
/// </summary>
public static class TableDefinition
{
    /// <summary>Epoch seconds; DynamoDB deletes the item some time after it passes (reads filter it at once).</summary>
    public const string TtlAttribute = Attr.Ttl;

    /// <summary>Key attributes of the table and its indexes with their scalar types ("S" or "N").</summary>
    public static IReadOnlyDictionary<string, string> AttributeTypes { get; } = new Dictionary<string, string>
    {
        [Attr.PK] = "S",
        [Attr.SK] = "S",
        [Attr.EmailKey] = "S",
        [Attr.YearMonth] = "S",
        [Attr.CreatedAt] = "N",
        [Attr.Gsi1PK] = "S",
        [Attr.Gsi1SK] = "S",
    };

    /// <summary>
    /// Every index projects ALL. For EmailIndex and GSI1 that saves a second read per lookup; for
    /// CreatedDateIndex it is a deliberate deviation from the seed's KEYS_ONLY, because "recent users" would
    /// otherwise need a BatchGetItem after every page.
    /// </summary>
    public static IReadOnlyList<IndexDefinition> Indexes { get; } =
    [
        new(IndexNames.Email, Attr.EmailKey, null),
        new(IndexNames.CreatedDate, Attr.YearMonth, Attr.CreatedAt),
        new(IndexNames.Gsi1, Attr.Gsi1PK, Attr.Gsi1SK),
    ];

    /// <summary>
    /// The attributes of a LastEvaluatedKey when querying <paramref name="indexName"/> (null: the table):
    /// the table's keys plus the index's. Cursors are checked against this shape.
    /// </summary>
    public static IReadOnlyList<string> KeyNamesOf(string? indexName)
    {
        if (indexName is null)
        {
            return [Attr.PK, Attr.SK];
        }

        var index = Indexes.FirstOrDefault(i => i.Name == indexName)
            ?? throw new ArgumentException($"No index named '{indexName}'.", nameof(indexName));
        return index.SortKey is null
            ? [Attr.PK, Attr.SK, index.PartitionKey]
            : [Attr.PK, Attr.SK, index.PartitionKey, index.SortKey];
    }

    public static CreateTableRequest CreateTableRequest(string tableName) => new()
    {
        TableName = tableName,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        KeySchema = KeySchema(Attr.PK, Attr.SK),
        AttributeDefinitions =
        [
            .. AttributeTypes.Select(a => new AttributeDefinition(a.Key, new ScalarAttributeType(a.Value))),
        ],
        GlobalSecondaryIndexes =
        [
            .. Indexes.Select(i => new GlobalSecondaryIndex
            {
                IndexName = i.Name,
                KeySchema = KeySchema(i.PartitionKey, i.SortKey),
                Projection = new Projection { ProjectionType = ProjectionType.ALL },
            }),
        ],
        // Audit and denormalization functions need both images of every change.
        StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
    };

    private static List<KeySchemaElement> KeySchema(string partitionKey, string? sortKey)
    {
        var schema = new List<KeySchemaElement> { new(partitionKey, KeyType.HASH) };
        if (sortKey is not null)
        {
            schema.Add(new KeySchemaElement(sortKey, KeyType.RANGE));
        }

        return schema;
    }
}

/// <summary>A global secondary index: its key attributes (projection is always ALL).</summary>
public sealed record IndexDefinition(string Name, string PartitionKey, string? SortKey);
