using System.Reflection;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Serverless.Data.Tests.Support;

/// <summary>
/// A client that forwards everything to a real one, except that a throttled BatchWriteItem call carries out only the
/// first of several writes (none of a single one) and hands the rest back as UnprocessedItems, as DynamoDB does
/// under throttling (DynamoDB Local never does).
/// </summary>
public class UnprocessedBatchWrites : DispatchProxy
{
    private IAmazonDynamoDB _inner = null!;
    private int _throttledCalls;
    private int _batchWriteCalls;

    /// <summary>BatchWriteItem calls made so far (the writer sends several at once, so counted atomically).</summary>
    public int BatchWriteCalls => Volatile.Read(ref _batchWriteCalls);

    /// <param name="throttledCalls">How many BatchWriteItem calls leave items unprocessed before the rest succeed whole.</param>
    public static (IAmazonDynamoDB Client, UnprocessedBatchWrites Proxy) Wrap(IAmazonDynamoDB inner, int throttledCalls)
    {
        var client = Create<IAmazonDynamoDB, UnprocessedBatchWrites>();
        var proxy = (UnprocessedBatchWrites)(object)client;
        proxy._inner = inner;
        proxy._throttledCalls = throttledCalls;
        return (client, proxy);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IAmazonDynamoDB.BatchWriteItemAsync) && args is [BatchWriteItemRequest request, CancellationToken ct])
        {
            return BatchWriteAsync(request, ct);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private async Task<BatchWriteItemResponse> BatchWriteAsync(BatchWriteItemRequest request, CancellationToken ct)
    {
        Interlocked.Increment(ref _batchWriteCalls);
        if (Interlocked.Decrement(ref _throttledCalls) < 0)
        {
            return await _inner.BatchWriteItemAsync(request, ct);
        }

        var (table, writes) = request.RequestItems.Single();
        if (writes.Count == 1)
        {
            return new BatchWriteItemResponse { UnprocessedItems = new() { [table] = writes } };
        }

        await _inner.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = new() { [table] = [writes[0]] } }, ct);
        return new BatchWriteItemResponse { UnprocessedItems = new() { [table] = writes.Skip(1).ToList() } };
    }
}
