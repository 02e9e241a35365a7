using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Table;

namespace Serverless.Data.Writing;

/// <summary>Single-item conditional writes whose failure becomes a domain error (for items written alone).</summary>
public sealed class ConditionalWriter(IAmazonDynamoDB client)
{
    public async Task PutAsync(
        string tableName,
        Dictionary<string, AttributeValue> item,
        WriteCondition condition,
        ConditionFailureTranslator onConditionFailed,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(onConditionFailed);
        ItemSize.EnsureWithinLimit(item);
        var request = new PutItemRequest
        {
            TableName = tableName,
            Item = item,
            ConditionExpression = condition.Expression,
            ExpressionAttributeNames = condition.NamesCopy(),
            ExpressionAttributeValues = condition.ValuesCopy(),
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };

        try
        {
            await client.PutItemAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException ex)
        {
            throw onConditionFailed(ConditionFailures.IsEmpty(ex.Item) ? null : ex.Item);
        }
    }

    public async Task DeleteAsync(
        string tableName,
        ItemKey key,
        WriteCondition condition,
        ConditionFailureTranslator onConditionFailed,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(onConditionFailed);
        var request = new DeleteItemRequest
        {
            TableName = tableName,
            Key = key.ToAttributes(),
            ConditionExpression = condition.Expression,
            ExpressionAttributeNames = condition.NamesCopy(),
            ExpressionAttributeValues = condition.ValuesCopy(),
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };

        try
        {
            await client.DeleteItemAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException ex)
        {
            throw onConditionFailed(ConditionFailures.IsEmpty(ex.Item) ? null : ex.Item);
        }
    }
}
