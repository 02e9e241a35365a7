using System.Collections.Concurrent;
using System.Text.Json;
using Serverless.Local.EventSourceMapping;
using Serverless.Testing;
using Xunit;
using static Serverless.Local.Tests.Support.StreamTables;

namespace Serverless.Local.Tests.EventSourceMapping;

/// <summary>ParallelizationFactor as Lambda runs it: several batches of one shard at once, one item's records always in order.</summary>
public sealed class ParallelizationTests(DynamoDbLocalFixture dynamo)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_factor_of_ten_runs_batches_of_one_shard_concurrently_and_keeps_each_items_records_in_order()
    {
        const int items = 20;
        const int versions = 10;
        var table = await CreateAsync(dynamo.Client, "esm-parallel", _ct);
        // Written before the mapping starts (TRIM_HORIZON), interleaved: v1 of every item, then v2 of every item, ...
        for (var v = 1; v <= versions; v++)
        {
            for (var i = 0; i < items; i++)
            {
                await PutAsync(dynamo.Client, table, $"USER#{i}", "PROFILE", _ct, ("v", N(v)));
            }
        }

        var inFlight = 0;
        var maxInFlight = 0;
        var seen = new ConcurrentDictionary<string, ConcurrentQueue<long>>(StringComparer.Ordinal);
        var settings = new EventSourceMappingSettings { FunctionName = "ParallelFunction", BatchSize = 5, ParallelizationFactor = 10 };
        async Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            try
            {
                using var doc = JsonDocument.Parse(payload);
                foreach (var record in doc.RootElement.GetProperty("Records").EnumerateArray())
                {
                    var dynamodb = record.GetProperty("dynamodb");
                    var pk = dynamodb.GetProperty("Keys").GetProperty("PK").GetProperty("S").GetString()!;
                    var v = long.Parse(dynamodb.GetProperty("NewImage").GetProperty("v").GetProperty("N").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                    seen.GetOrAdd(pk, _ => new()).Enqueue(v);
                }

                // Long enough that batches of other lanes start meanwhile.
                await Task.Delay(150, ct);
                return ReadOnlyMemory<byte>.Empty;
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        await using var emulator = await EmulatorHarness.StartAsync(dynamo, new StreamFunctionMapping(settings, table, InvokeAsync, null), _ct);
        await Eventually.WaitUntilAsync(() => seen.Values.Sum(q => q.Count) >= items * versions, "every record arrived", _ct, TimeSpan.FromSeconds(90));

        Assert.InRange(maxInFlight, 2, 10);
        Assert.Equal(items, seen.Count);
        foreach (var (pk, order) in seen)
        {
            // Each record once, and an item's versions in the order they were written.
            Assert.Equal(Enumerable.Range(1, versions).Select(v => (long)v), order.ToArray());
        }
    }

    [Fact]
    public async Task A_factor_of_one_never_runs_two_batches_of_a_shard_at_once()
    {
        var table = await CreateAsync(dynamo.Client, "esm-serial", _ct);
        for (var i = 0; i < 30; i++)
        {
            await PutAsync(dynamo.Client, table, $"USER#{i}", "PROFILE", _ct, ("v", N(1)));
        }

        var inFlight = 0;
        var maxInFlight = 0;
        var delivered = 0;
        async Task<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
        {
            InterlockedMax(ref maxInFlight, Interlocked.Increment(ref inFlight));
            using (var doc = JsonDocument.Parse(payload))
            {
                Interlocked.Add(ref delivered, doc.RootElement.GetProperty("Records").GetArrayLength());
            }

            await Task.Delay(50, ct);
            Interlocked.Decrement(ref inFlight);
            return ReadOnlyMemory<byte>.Empty;
        }

        var settings = new EventSourceMappingSettings { FunctionName = "SerialFunction", BatchSize = 3 };
        await using var emulator = await EmulatorHarness.StartAsync(dynamo, new StreamFunctionMapping(settings, table, InvokeAsync, null), _ct);
        await Eventually.WaitUntilAsync(() => Volatile.Read(ref delivered) >= 30, "every record arrived", _ct, TimeSpan.FromSeconds(60));

        Assert.Equal(1, maxInFlight);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var previous = Interlocked.CompareExchange(ref target, value, current);
            if (previous == current)
            {
                return;
            }

            current = previous;
        }
    }
}
