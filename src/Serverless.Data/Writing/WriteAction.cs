namespace Serverless.Data.Writing;

/// <summary>
/// Turns the stored item that failed a condition (null when there was none) into the domain error the caller
/// should see: e.g. missing -> NotFound, other version -> Concurrency, taken -> Conflict.
/// </summary>
public delegate DomainException ConditionFailureTranslator(IReadOnlyDictionary<string, AttributeValue>? storedItem);

/// <summary>One action of a transaction, with what its condition's failure means.</summary>
public sealed record WriteAction(TransactWriteItem Item, ConditionFailureTranslator? OnConditionFailed)
{
    public static WriteAction Put(string tableName, Dictionary<string, AttributeValue> item, WriteCondition? condition, ConditionFailureTranslator? onConditionFailed) =>
        new(
            new TransactWriteItem
            {
                Put = new Put
                {
                    TableName = tableName,
                    Item = item,
                    ConditionExpression = condition?.Expression,
                    ExpressionAttributeNames = condition?.NamesCopy(),
                    ExpressionAttributeValues = condition?.ValuesCopy(),
                    ReturnValuesOnConditionCheckFailure = condition is null ? null : ReturnValuesOnConditionCheckFailure.ALL_OLD,
                },
            },
            onConditionFailed);

    public static WriteAction Delete(string tableName, ItemKey key, WriteCondition? condition, ConditionFailureTranslator? onConditionFailed) =>
        new(
            new TransactWriteItem
            {
                Delete = new Delete
                {
                    TableName = tableName,
                    Key = key.ToAttributes(),
                    ConditionExpression = condition?.Expression,
                    ExpressionAttributeNames = condition?.NamesCopy(),
                    ExpressionAttributeValues = condition?.ValuesCopy(),
                    ReturnValuesOnConditionCheckFailure = condition is null ? null : ReturnValuesOnConditionCheckFailure.ALL_OLD,
                },
            },
            onConditionFailed);

    /// <summary>Writes nothing; fails the whole transaction when the condition does not hold (e.g. "the parent still exists").</summary>
    public static WriteAction Check(string tableName, ItemKey key, WriteCondition condition, ConditionFailureTranslator onConditionFailed)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return new(
            new TransactWriteItem
            {
                ConditionCheck = new ConditionCheck
                {
                    TableName = tableName,
                    Key = key.ToAttributes(),
                    ConditionExpression = condition.Expression,
                    ExpressionAttributeNames = condition.NamesCopy(),
                    ExpressionAttributeValues = condition.ValuesCopy(),
                    ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                },
            },
            onConditionFailed);
    }

    /// <summary>The item a Put writes (for the size check); null for other actions.</summary>
    internal Dictionary<string, AttributeValue>? PutItem => Item.Put?.Item;
}
