using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Serverless.Data.Items;
using UnitsOf = Amazon.DynamoDBv2.Model.Capacity;

namespace Serverless.Bench.Capacity;

/// <summary>
/// Every DynamoDB call a client makes while recording: the capacity DynamoDB Local reported for the table and for each
/// index (the project's client asks <c>ReturnConsumedCapacity = INDEXES</c> on every call), the items it wrote or
/// returned, and what the item-size arithmetic says the table's share should be where it can be computed from the call
/// alone (GetItem, Query without a filter, PutItem, BatchWriteItem puts, a transaction that only creates items).
/// </summary>
public sealed class CapacityRecorder
{
    private readonly Lock _gate = new();
    private List<CallCapacity>? _calls;

    public CapacityRecorder(IAmazonDynamoDB client) =>
        ((AmazonServiceClient)client).AfterResponseEvent += OnResponse;

    /// <summary>Records the calls made while <paramref name="action"/> runs (one recording at a time).</summary>
    public async Task<List<CallCapacity>> RecordAsync(Func<Task> action)
    {
        var calls = new List<CallCapacity>();
        lock (_gate)
        {
            _calls = calls;
        }

        try
        {
            await action().ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _calls = null;
            }
        }

        lock (_gate)
        {
            return [.. calls];
        }
    }

    private void OnResponse(object sender, ResponseEventArgs e)
    {
        if (e is not WebServiceResponseEventArgs { Request: { } request, Response: { } response })
        {
            return;
        }

        var call = Describe(request, response);
        if (call is null)
        {
            return;
        }

        lock (_gate)
        {
            _calls?.Add(call);
        }
    }

    private static CallCapacity? Describe(AmazonWebServiceRequest request, AmazonWebServiceResponse response)
    {
        switch (response)
        {
            case GetItemResponse r:
                {
                    var consistent = ((GetItemRequest)request).ConsistentRead == true;
                    var expected = r.Item is { Count: > 0 } item ? ReadUnits(ItemSize.Of(item), consistent) : 0.5;
                    return Read("GetItem", r.ConsumedCapacity, r.Item is { Count: > 0 } ? 1 : 0, expected);
                }

            case QueryResponse r:
                {
                    var query = (QueryRequest)request;
                    double? expected = string.IsNullOrEmpty(query.FilterExpression) && r.Items is { } items
                        ? ReadUnits(items.Sum(ItemSize.Of), query.ConsistentRead == true)
                        : null;
                    return Read("Query", r.ConsumedCapacity, r.Items?.Count ?? 0, expected);
                }

            case BatchGetItemResponse r:
                return Read("BatchGetItem", Sum(r.ConsumedCapacity), r.Responses?.Values.Sum(v => v.Count) ?? 0, null);
            case TransactGetItemsResponse r:
                return Read("TransactGetItems", Sum(r.ConsumedCapacity), r.Responses?.Count ?? 0, null);
            case PutItemResponse r:
                return Write("PutItem", r.ConsumedCapacity, 1, WriteUnits(ItemSize.Of(((PutItemRequest)request).Item)));
            case UpdateItemResponse r:
                return Write("UpdateItem", r.ConsumedCapacity, 1, null);
            case DeleteItemResponse r:
                return Write("DeleteItem", r.ConsumedCapacity, 1, null);
            case BatchWriteItemResponse r:
                {
                    var writes = ((BatchWriteItemRequest)request).RequestItems.Values.SelectMany(w => w).ToList();
                    double? expected = writes.All(w => w.PutRequest is not null) ? writes.Sum(w => WriteUnits(ItemSize.Of(w.PutRequest.Item))) : null;
                    return Write("BatchWriteItem", Sum(r.ConsumedCapacity), writes.Count, expected);
                }

            case TransactWriteItemsResponse r:
                {
                    var actions = ((TransactWriteItemsRequest)request).TransactItems;
                    var written = actions.Count(a => a.ConditionCheck is null);
                    // A transaction's write costs two units per KB of each item. Only a transaction that creates every item
                    // is computable from the request alone: a replacing put, an update or a delete costs by the stored
                    // item's size too, and a condition check by the size of the item it reads.
                    double? expected = actions.All(a => a.Put?.ConditionExpression?.Contains("attribute_not_exists", StringComparison.Ordinal) == true)
                        ? actions.Sum(a => 2 * WriteUnits(ItemSize.Of(a.Put.Item)))
                        : null;
                    return Write("TransactWriteItems", Sum(r.ConsumedCapacity), written, expected);
                }

            default:
                return null;
        }
    }

    /// <summary>Read units for <paramref name="bytes"/>: 4 KB a unit, half for an eventually consistent read.</summary>
    public static double ReadUnits(int bytes, bool consistent) =>
        Math.Max(1, Math.Ceiling(bytes / 4096.0)) * (consistent ? 1 : 0.5);

    /// <summary>Write units for an item of <paramref name="bytes"/>: 1 KB a unit.</summary>
    public static double WriteUnits(int bytes) => Math.Max(1, Math.Ceiling(bytes / 1024.0));

    private static CallCapacity Read(string operation, ConsumedCapacity? consumed, int items, double? expected) =>
        new(operation, IsWrite: false, TableUnits(consumed), IndexUnits(consumed), items, expected);

    private static CallCapacity Write(string operation, ConsumedCapacity? consumed, int items, double? expected) =>
        new(operation, IsWrite: true, TableUnits(consumed), IndexUnits(consumed), items, expected);

    private static double TableUnits(ConsumedCapacity? consumed)
    {
        if (consumed is null)
        {
            return 0;
        }

        // With INDEXES the table's own share is given apart; without it (or where the emulator leaves it out) the
        // total less the indexes' shares.
        if (consumed.Table?.CapacityUnits is { } table)
        {
            return table;
        }

        return (consumed.CapacityUnits ?? 0) - IndexUnits(consumed).Values.Sum();
    }

    private static Dictionary<string, double> IndexUnits(ConsumedCapacity? consumed) =>
        consumed?.GlobalSecondaryIndexes?.Where(i => i.Value.CapacityUnits is > 0).ToDictionary(i => i.Key, i => i.Value.CapacityUnits!.Value)
        ?? [];

    private static ConsumedCapacity? Sum(List<ConsumedCapacity>? all)
    {
        if (all is not { Count: > 0 })
        {
            return null;
        }

        var indexes = new Dictionary<string, UnitsOf>();
        foreach (var (name, capacity) in all.SelectMany(c => c.GlobalSecondaryIndexes ?? []))
        {
            indexes[name] = new UnitsOf { CapacityUnits = (indexes.GetValueOrDefault(name)?.CapacityUnits ?? 0) + (capacity.CapacityUnits ?? 0) };
        }

        return new ConsumedCapacity
        {
            CapacityUnits = all.Sum(c => c.CapacityUnits ?? 0),
            Table = all.All(c => c.Table?.CapacityUnits is not null) ? new UnitsOf { CapacityUnits = all.Sum(c => c.Table!.CapacityUnits!.Value) } : null,
            GlobalSecondaryIndexes = indexes,
        };
    }
}

/// <param name="ExpectedTableUnits">The table's share by the item-size arithmetic, where the call alone gives it.</param>
public sealed record CallCapacity(
    string Operation, bool IsWrite, double TableUnits, Dictionary<string, double> IndexUnits, int Items, double? ExpectedTableUnits)
{
    public double TotalUnits => TableUnits + IndexUnits.Values.Sum();
}
