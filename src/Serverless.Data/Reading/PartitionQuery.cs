namespace Serverless.Data.Reading;

/// <summary>
/// One partition of the table or of an index, optionally narrowed to the sort keys that begin with a prefix: the
/// shape of every list the repositories read. <see cref="ToRequest"/> turns it into the Query, with the key
/// attribute names of the index it reads.
/// </summary>
public sealed record PartitionQuery(string? IndexName, string PartitionKey, string? SortKeyPrefix = null)
{
    /// <summary>Sort keys descending (the time-ordered lists read newest first).</summary>
    public bool NewestFirst { get; init; }

    /// <summary>A strongly consistent read (the base table only; an index is always eventually consistent).</summary>
    public bool Consistent { get; init; }

    /// <summary>Read only these attributes; null reads whole items.</summary>
    public IReadOnlyList<string>? Attributes { get; init; }

    /// <summary>A partition of the base table (PK), narrowed to the sort keys (SK) that begin with the prefix.</summary>
    public static PartitionQuery OnTable(string partitionKey, string? sortKeyPrefix = null) => new(null, partitionKey, sortKeyPrefix);

    /// <summary>A partition of GSI1 (GSI1PK), narrowed to the sort keys (GSI1SK) that begin with the prefix.</summary>
    public static PartitionQuery OnGsi1(string partitionKey, string? sortKeyPrefix = null) => new(IndexNames.Gsi1, partitionKey, sortKeyPrefix);

    /// <summary>The key attributes of a LastEvaluatedKey of this Query, to check cursors against.</summary>
    public IReadOnlyList<string> KeyNames => TableDefinition.KeyNamesOf(IndexName);

    public QueryRequest ToRequest(string tableName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        var (partitionName, sortName) = KeyAttributes();
        var request = new QueryRequest
        {
            TableName = tableName,
            IndexName = IndexName,
            KeyConditionExpression = "#pk = :pk",
            ExpressionAttributeNames = new() { ["#pk"] = partitionName },
            ExpressionAttributeValues = new() { [":pk"] = Av.S(PartitionKey) },
        };
        if (SortKeyPrefix is not null)
        {
            request.KeyConditionExpression += " AND begins_with(#sk, :prefix)";
            request.ExpressionAttributeNames["#sk"] = sortName
                ?? throw new InvalidOperationException($"Index {IndexName} has no sort key to narrow by prefix.");
            request.ExpressionAttributeValues[":prefix"] = Av.S(SortKeyPrefix);
        }

        if (NewestFirst)
        {
            request.ScanIndexForward = false;
        }

        if (Consistent)
        {
            request.ConsistentRead = true;
        }

        if (Attributes is { Count: > 0 } attributes)
        {
            var placeholders = new List<string>(attributes.Count);
            for (var i = 0; i < attributes.Count; i++)
            {
                placeholders.Add($"#a{i}");
                request.ExpressionAttributeNames[$"#a{i}"] = attributes[i];
            }

            request.ProjectionExpression = string.Join(", ", placeholders);
        }

        return request;
    }

    private (string Partition, string? Sort) KeyAttributes()
    {
        if (IndexName is null)
        {
            return (Attr.PK, Attr.SK);
        }

        var index = TableDefinition.Indexes.FirstOrDefault(i => i.Name == IndexName)
            ?? throw new InvalidOperationException($"No index named '{IndexName}'.");
        return (index.PartitionKey, index.SortKey);
    }
}
