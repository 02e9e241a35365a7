using System.Collections.Concurrent;
using Serverless.Lambda.Batch;
using Serverless.Lambda.Events;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.Batch;

/// <summary><see cref="BatchProcessorOptions.MaxConcurrency"/> above 1: items at once, each item's records in order.</summary>
public sealed class ConcurrentBatchProcessingTests : IDisposable
{
    private readonly CapturedLogs _logs = new();
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private DynamoDBStreamBatchProcessor Processor(int maxConcurrency = 4) =>
        new(_logs.Factory.CreateLogger("test"), new BatchProcessorOptions { MaxConcurrency = maxConcurrency });

    /// <summary>Records named "item/n": the item is the record's key, n its sequence number.</summary>
    private static DynamoDBEvent Batch(params string[] records) => new()
    {
        Records = [.. records.Select(r => new DynamoDBEventRecord
        {
            EventId = "event-" + r,
            EventName = "MODIFY",
            Dynamodb = new DynamoDBStreamRecord
            {
                SequenceNumber = r.Split('/')[1],
                Keys = new() { ["PK"] = new DynamoDBAttributeValue { S = r.Split('/')[0] }, ["SK"] = new DynamoDBAttributeValue { S = "PROFILE" } },
            },
        })],
    };

    private static string Item(DynamoDBEventRecord record) => record.Dynamodb!.Keys!["PK"].S!;

    [Fact]
    public async Task Records_of_different_items_run_at_once_and_each_items_records_run_in_batch_order()
    {
        var bStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var order = new ConcurrentDictionary<string, ConcurrentQueue<string>>();
        var handler = DynamoDBRecordHandler.From(async (record, ct) =>
        {
            var sequence = record.Dynamodb!.SequenceNumber!;
            if (sequence == "2")
            {
                bStarted.TrySetResult();
            }

            if (sequence == "1")
            {
                // A's first record waits for B's first: in strict order it would wait forever.
                await bStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            }

            await Task.Delay(Random.Shared.Next(1, 5), ct);
            order.GetOrAdd(Item(record), _ => new()).Enqueue(sequence);
            return RecordResult.Processed;
        });

        var result = await Processor().RunAsync(Batch("A/1", "B/2", "A/3", "C/4", "B/5", "A/6"), handler, null, _ct);

        Assert.Empty(result.Response.BatchItemFailures);
        Assert.Equal(["1", "3", "6"], order["A"]);
        Assert.Equal(["2", "5"], order["B"]);
        Assert.Equal(["4"], order["C"]);
        Assert.Equal(new BatchSummary(6, 6, 0, 0, 0), result.Summary);
    }

    [Fact]
    public async Task A_failure_reports_that_record_and_every_later_one_and_every_earlier_record_was_handled()
    {
        var handled = new ConcurrentBag<string>();
        var handler = DynamoDBRecordHandler.From(async (record, ct) =>
        {
            var sequence = record.Dynamodb!.SequenceNumber!;
            // The earlier records finish last, so the failure is known while they still run.
            await Task.Delay(sequence is "1" or "2" ? 50 : 1, ct);
            if (sequence == "3")
            {
                throw new InvalidOperationException("boom");
            }

            handled.Add(sequence);
            return RecordResult.Processed;
        });

        var result = await Processor().RunAsync(Batch("A/1", "B/2", "C/3", "D/4", "E/5", "F/6"), handler, null, _ct);

        Assert.Equal(["3", "4", "5", "6"], result.Response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Contains("1", handled);
        Assert.Contains("2", handled);
        Assert.Equal(new BatchSummary(6, 2, 0, 0, 4), result.Summary);
    }

    [Fact]
    public async Task A_failure_holds_back_only_its_own_item_and_the_other_items_later_records_are_still_handled()
    {
        var handled = new ConcurrentBag<string>();
        var handler = DynamoDBRecordHandler.From((record, _) =>
        {
            var sequence = record.Dynamodb!.SequenceNumber!;
            if (sequence == "1")
            {
                throw new InvalidOperationException("poison");
            }

            handled.Add(sequence);
            return ValueTask.FromResult(RecordResult.Processed);
        });

        var result = await Processor().RunAsync(Batch("A/1", "B/2", "A/3", "C/4"), handler, null, _ct);

        // Everything from the poison on is reported (Lambda checkpoints before it), yet B and C were handled meanwhile.
        Assert.Equal(["1", "2", "3", "4"], result.Response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Equal(["2", "4"], handled.Order());
        Assert.Equal(new BatchSummary(4, 0, 0, 0, 4), result.Summary);
    }

    [Fact]
    public async Task After_an_items_record_fails_its_later_records_are_never_handled()
    {
        var handled = new ConcurrentBag<string>();
        var handler = DynamoDBRecordHandler.From((record, _) =>
        {
            var sequence = record.Dynamodb!.SequenceNumber!;
            if (sequence == "2")
            {
                throw new InvalidOperationException("boom");
            }

            handled.Add(sequence);
            return ValueTask.FromResult(RecordResult.Processed);
        });

        var result = await Processor().RunAsync(Batch("B/1", "A/2", "A/3", "B/4", "A/5"), handler, null, _ct);

        Assert.Equal(["2", "3", "4", "5"], result.Response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.DoesNotContain("3", handled);
        Assert.DoesNotContain("5", handled);
        Assert.Contains("1", handled);
    }

    [Fact]
    public async Task Skipped_records_count_as_handled_and_are_never_reported()
    {
        var handler = DynamoDBRecordHandler.From((record, _) => ValueTask.FromResult(
            record.Dynamodb!.SequenceNumber == "2" ? RecordResult.Ignored("not ours") : RecordResult.Unrecognized("unknown type")));

        var result = await Processor().RunAsync(Batch("A/1", "B/2", "C/3"), handler, null, _ct);

        Assert.Empty(result.Response.BatchItemFailures);
        Assert.Equal(new BatchSummary(3, 0, 1, 2, 0), result.Summary);
    }

    public void Dispose() => _logs.Dispose();
}
