namespace Serverless.Data.Client;

/// <summary>
/// Makes every binary value of a request readable from any position before the SDK marshals it. The SDK writes a
/// <c>B</c> value from the stream's buffer when the stream exposes one, and otherwise by reading it from its current
/// position: a <see cref="MemoryStream"/> that does not expose its buffer (one the SDK unmarshalled, one made with
/// <c>new MemoryStream(bytes)</c>) is read to its end by the first request that sends it, and a second request sending
/// the same value (a ciphertext copied onto several orders, a key read and written back) would send whatever the
/// SDK's pooled buffer held instead. Each such stream is replaced by one over a copy of its bytes that exposes them.
/// </summary>
internal static class BinaryValues
{
    public static void Prepare(Amazon.Runtime.AmazonWebServiceRequest request)
    {
        switch (request)
        {
            case PutItemRequest r: Map(r.Item); Map(r.ExpressionAttributeValues); break;
            case UpdateItemRequest r: Map(r.Key); Map(r.ExpressionAttributeValues); break;
            case DeleteItemRequest r: Map(r.Key); Map(r.ExpressionAttributeValues); break;
            case GetItemRequest r: Map(r.Key); break;
            case QueryRequest r: Map(r.ExpressionAttributeValues); Map(r.ExclusiveStartKey); break;
            case ScanRequest r: Map(r.ExpressionAttributeValues); Map(r.ExclusiveStartKey); break;
            case BatchGetItemRequest r:
                foreach (var keys in r.RequestItems?.Values ?? Enumerable.Empty<KeysAndAttributes>())
                {
                    foreach (var key in keys.Keys ?? [])
                    {
                        Map(key);
                    }
                }

                break;
            case BatchWriteItemRequest r:
                foreach (var writes in r.RequestItems?.Values ?? Enumerable.Empty<List<WriteRequest>>())
                {
                    foreach (var write in writes)
                    {
                        Map(write.PutRequest?.Item);
                        Map(write.DeleteRequest?.Key);
                    }
                }

                break;
            case TransactWriteItemsRequest r:
                foreach (var item in r.TransactItems ?? [])
                {
                    Map(item.Put?.Item);
                    Map(item.Put?.ExpressionAttributeValues);
                    Map(item.Update?.Key);
                    Map(item.Update?.ExpressionAttributeValues);
                    Map(item.Delete?.Key);
                    Map(item.Delete?.ExpressionAttributeValues);
                    Map(item.ConditionCheck?.Key);
                    Map(item.ConditionCheck?.ExpressionAttributeValues);
                }

                break;
            case TransactGetItemsRequest r:
                foreach (var item in r.TransactItems ?? [])
                {
                    Map(item.Get?.Key);
                }

                break;
        }
    }

    private static void Map(Dictionary<string, AttributeValue>? values)
    {
        if (values is null)
        {
            return;
        }

        foreach (var value in values.Values)
        {
            Value(value);
        }
    }

    private static void Value(AttributeValue? value)
    {
        if (value is null)
        {
            return;
        }

        if (value.B is { } b && !b.TryGetBuffer(out _))
        {
            value.B = Exposed(b);
        }

        if (value.BS is { Count: > 0 } set)
        {
            for (var i = 0; i < set.Count; i++)
            {
                if (!set[i].TryGetBuffer(out _))
                {
                    set[i] = Exposed(set[i]);
                }
            }
        }

        if (value.M is { Count: > 0 } map)
        {
            Map(map);
        }

        if (value.L is { Count: > 0 } list)
        {
            foreach (var element in list)
            {
                Value(element);
            }
        }
    }

    // ToArray copies the whole stream whatever its position, and is safe beside other readers of the same stream.
    private static MemoryStream Exposed(MemoryStream stream)
    {
        var bytes = stream.ToArray();
        return new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true);
    }
}
