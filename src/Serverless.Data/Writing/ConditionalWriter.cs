namespace Serverless.Data.Writing;

/// <summary>
/// Single-item writes, each with its condition (for items written alone; <see cref="TransactionWriter"/> writes
/// several together). A failed condition is either turned into the domain error the caller names
/// (<c>PutAsync</c>, <c>UpdateAsync</c>) or answered as false where it is an expected outcome
/// (<c>TryPutAsync</c> and its siblings: the entry is already there, the link is already gone). A put whose condition
/// fails against exactly the item it puts, or a versioned update whose values are all stored already, is its own
/// earlier attempt, applied, and succeeds (docs/reliability.md). A delete that must report a failed condition goes
/// through <see cref="TransactionWriter"/> instead: a resend of an applied delete finds nothing, which cannot be told
/// from a delete of what was never there except by the transaction's request token.
/// </summary>
public sealed class ConditionalWriter(IAmazonDynamoDB client)
{
    public Task PutAsync(
        string tableName,
        Dictionary<string, AttributeValue> item,
        WriteCondition condition,
        ConditionFailureTranslator onConditionFailed,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onConditionFailed);
        return SendAsync(PutRequest(tableName, item, condition, returnOld: true), onConditionFailed, cancellationToken);
    }

    /// <returns>False when the condition did not hold (nothing was written).</returns>
    public Task<bool> TryPutAsync(string tableName, Dictionary<string, AttributeValue> item, WriteCondition condition, CancellationToken cancellationToken) =>
        TrySendAsync(PutRequest(tableName, item, condition, returnOld: false), cancellationToken);

    public Task UpdateAsync(
        string tableName,
        ItemKey key,
        ItemUpdate update,
        WriteCondition condition,
        ConditionFailureTranslator onConditionFailed,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onConditionFailed);
        return SendAsync(UpdateRequest(tableName, key, update, condition, returnOld: true), onConditionFailed, cancellationToken);
    }

    /// <returns>False when the condition did not hold (nothing was written).</returns>
    public Task<bool> TryUpdateAsync(string tableName, ItemKey key, ItemUpdate update, WriteCondition condition, CancellationToken cancellationToken) =>
        TrySendAsync(UpdateRequest(tableName, key, update, condition, returnOld: false), cancellationToken);

    /// <returns>False when the condition did not hold (nothing was deleted).</returns>
    public Task<bool> TryDeleteAsync(string tableName, ItemKey key, WriteCondition condition, CancellationToken cancellationToken) =>
        TrySendAsync(DeleteRequest(tableName, key, condition), cancellationToken);

    private async Task SendAsync(AmazonDynamoDBRequest request, ConditionFailureTranslator onConditionFailed, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException ex) when (request is PutItemRequest put && IsExactly(ex.Item, put.Item))
        {
            // Our own earlier attempt: its response was lost and the SDK sent the put again, which then failed its
            // condition against what the first one stored. A whole-item put that finds exactly its item (its id, its
            // version, its time and writer) has been applied once; a 409 here would be against itself.
        }
        catch (ConditionalCheckFailedException ex) when (request is UpdateItemRequest update && AlreadyHolds(ex.Item, update))
        {
            // The same for an update that only assigns values, its new version among them: the stored item already holds
            // every value it sets, so it was applied (by our first attempt; by anyone, the item is what ours makes it).
        }
        catch (ConditionalCheckFailedException ex)
        {
            throw onConditionFailed(ConditionFailures.IsEmpty(ex.Item) ? null : ex.Item);
        }
    }

    /// <summary>
    /// Whether <paramref name="stored"/> already holds every value of an update made only of plain assignments
    /// (<c>SET #a = :x, #b = :y</c>) that sets the version: an update with anything else (an arithmetic, a function,
    /// a REMOVE) is never taken as applied.
    /// </summary>
    private static bool AlreadyHolds(Dictionary<string, AttributeValue>? stored, UpdateItemRequest update)
    {
        if (ConditionFailures.IsEmpty(stored) || update.UpdateExpression is not { } expression
            || !expression.StartsWith("SET ", StringComparison.Ordinal))
        {
            return false;
        }

        var setsVersion = false;
        foreach (var assignment in expression[4..].Split(',', StringSplitOptions.TrimEntries))
        {
            var parts = assignment.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2
                || update.ExpressionAttributeNames?.GetValueOrDefault(parts[0]) is not { } attribute
                || update.ExpressionAttributeValues?.GetValueOrDefault(parts[1]) is not { } value
                || !ItemContent.Equal(stored!.GetValueOrDefault(attribute), value))
            {
                return false;
            }

            setsVersion |= attribute == Table.Attr.Version;
        }

        return setsVersion;
    }

    private static bool IsExactly(Dictionary<string, AttributeValue>? stored, Dictionary<string, AttributeValue> item) =>
        !ConditionFailures.IsEmpty(stored)
        && ItemContent.Same(stored, item)
        && ItemContent.WriteStamps.All(name => ItemContent.Equal(stored!.GetValueOrDefault(name), item.GetValueOrDefault(name)));

    private async Task<bool> TrySendAsync(AmazonDynamoDBRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private Task CallAsync(AmazonDynamoDBRequest request, CancellationToken cancellationToken) => request switch
    {
        PutItemRequest put => client.PutItemAsync(put, cancellationToken),
        UpdateItemRequest update => client.UpdateItemAsync(update, cancellationToken),
        DeleteItemRequest delete => client.DeleteItemAsync(delete, cancellationToken),
        _ => throw new ArgumentException($"Not a single-item write: {request.GetType().Name}.", nameof(request)),
    };

    private static PutItemRequest PutRequest(string tableName, Dictionary<string, AttributeValue> item, WriteCondition condition, bool returnOld)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ItemSize.EnsureWithinLimit(item);
        return new PutItemRequest
        {
            TableName = tableName,
            Item = item,
            ConditionExpression = condition.Expression,
            ExpressionAttributeNames = condition.NamesCopy(),
            ExpressionAttributeValues = condition.ValuesCopy(),
            ReturnValuesOnConditionCheckFailure = ReturnedOnFailure(returnOld),
        };
    }

    private static UpdateItemRequest UpdateRequest(string tableName, ItemKey key, ItemUpdate update, WriteCondition condition, bool returnOld)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(condition);
        return new UpdateItemRequest
        {
            TableName = tableName,
            Key = key.ToAttributes(),
            UpdateExpression = update.Expression,
            ConditionExpression = condition.Expression,
            ExpressionAttributeNames = Merge(update.Names, condition.Names),
            ExpressionAttributeValues = Merge(update.Values, condition.Values),
            ReturnValuesOnConditionCheckFailure = ReturnedOnFailure(returnOld),
        };
    }

    private static DeleteItemRequest DeleteRequest(string tableName, ItemKey key, WriteCondition condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return new DeleteItemRequest
        {
            TableName = tableName,
            Key = key.ToAttributes(),
            ConditionExpression = condition.Expression,
            ExpressionAttributeNames = condition.NamesCopy(),
            ExpressionAttributeValues = condition.ValuesCopy(),
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.NONE,
        };
    }

    // The stored item is fetched on a failure only where a translator reads it; an expected failure costs no read.
    private static ReturnValuesOnConditionCheckFailure ReturnedOnFailure(bool returnOld) =>
        returnOld ? ReturnValuesOnConditionCheckFailure.ALL_OLD : ReturnValuesOnConditionCheckFailure.NONE;

    /// <summary>The update's and the condition's placeholders in one map; a placeholder both use must mean the same.</summary>
    private static Dictionary<string, T>? Merge<T>(IReadOnlyDictionary<string, T>? first, IReadOnlyDictionary<string, T>? second)
    {
        if (first is null && second is null)
        {
            return null;
        }

        var merged = new Dictionary<string, T>(first ?? new Dictionary<string, T>(), StringComparer.Ordinal);
        foreach (var (name, value) in second ?? new Dictionary<string, T>())
        {
            if (merged.TryGetValue(name, out var existing) && !Equals(Describe(existing), Describe(value)))
            {
                throw new ArgumentException($"The placeholder {name} means one thing in the update and another in the condition.");
            }

            merged[name] = value;
        }

        return merged;
    }

    private static string? Describe<T>(T value) => value switch
    {
        AttributeValue av => av.S ?? av.N ?? av.BOOL?.ToString(),
        _ => value?.ToString(),
    };
}

/// <summary>An UpdateItem's update expression with its own placeholders.</summary>
public sealed record ItemUpdate(
    string Expression,
    IReadOnlyDictionary<string, string> Names,
    IReadOnlyDictionary<string, AttributeValue>? Values = null);
