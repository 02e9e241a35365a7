using System.Text.Json.Nodes;
using Serverless.Lambda.Batch;
using Serverless.Lambda.Events;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.Batch;

public sealed class DynamoDBStreamBatchProcessorTests : IDisposable
{
    private readonly CapturedLogs _logs = new();
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private DynamoDBStreamBatchProcessor Processor(BatchProcessorOptions? options = null) =>
        new(_logs.Factory.CreateLogger("test"), options);

    private static DynamoDBEvent Batch(params string[] sequenceNumbers) => new()
    {
        Records = [.. sequenceNumbers.Select(s => new DynamoDBEventRecord
        {
            EventId = "event-" + s,
            EventName = "MODIFY",
            Dynamodb = new DynamoDBStreamRecord { SequenceNumber = s },
        })],
    };

    [Fact]
    public async Task Records_are_handled_one_at_a_time_in_batch_order()
    {
        var seen = new List<string>();
        var running = 0;
        var handler = DynamoDBRecordHandler.From(async (record, ct) =>
        {
            Assert.Equal(1, Interlocked.Increment(ref running));
            await Task.Delay(5, ct);
            seen.Add(record.Dynamodb!.SequenceNumber!);
            Interlocked.Decrement(ref running);
            return RecordResult.Processed;
        });

        var result = await Processor().RunAsync(Batch("3", "1", "2", "10"), handler, null, _ct);

        Assert.Equal(["3", "1", "2", "10"], seen);
        Assert.Empty(result.Response.BatchItemFailures);
        Assert.Equal(new BatchSummary(4, 4, 0, 0, 0), result.Summary);
    }

    [Fact]
    public async Task The_first_failure_reports_that_record_and_every_later_one_and_stops_there()
    {
        var seen = new List<string>();
        var handler = DynamoDBRecordHandler.From((record, _) =>
        {
            seen.Add(record.Dynamodb!.SequenceNumber!);
            return record.Dynamodb.SequenceNumber == "2"
                ? throw new InvalidOperationException("boom")
                : ValueTask.FromResult(RecordResult.Processed);
        });

        var result = await Processor().RunAsync(Batch("1", "2", "3", "4"), handler, null, _ct);

        Assert.Equal(["1", "2"], seen);
        Assert.Equal(["2", "3", "4"], result.Response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Equal(new BatchSummary(4, 1, 0, 0, 3), result.Summary);
    }

    [Fact]
    public async Task A_batch_that_succeeds_answers_an_empty_failure_list()
    {
        var function = DynamoDBStreamFunction.Create(
            DynamoDBRecordHandler.From((_, _) => ValueTask.FromResult(RecordResult.Processed)), _logs.Factory.CreateLogger("test"));

        var response = await function.InvokeAsync(Samples.Bytes(Samples.StreamEvent), TestEnvironment.Context(), _ct);

        Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(response.Span));
    }

    [Fact]
    public async Task A_failed_record_is_answered_in_exactly_the_published_response_shape()
    {
        // The sample's two records share one SequenceNumber; failing the first reports it once.
        var function = DynamoDBStreamFunction.Create(
            DynamoDBRecordHandler.From((_, _) => throw new InvalidOperationException("boom")), _logs.Factory.CreateLogger("test"));

        var response = await function.InvokeAsync(Samples.Bytes(Samples.StreamEvent), TestEnvironment.Context(), _ct);

        var expected = JsonNode.Parse(Utf8Bom.Skip(Samples.Bytes(Samples.BatchItemFailuresResponse)));
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(response.Span)), System.Text.Encoding.UTF8.GetString(response.Span));
    }

    [Fact]
    public async Task Skipped_records_are_logged_and_never_reported_as_failures()
    {
        var handler = DynamoDBRecordHandler.From((record, _) => ValueTask.FromResult(record.Dynamodb!.SequenceNumber switch
        {
            "1" => RecordResult.Unrecognized("entity type 'Spaceship' is not one of the table's"),
            "2" => RecordResult.Ignored("Order changes are not denormalized"),
            _ => RecordResult.Processed,
        }));

        var result = await Processor().RunAsync(Batch("1", "2", "3"), handler, null, _ct);

        Assert.Empty(result.Response.BatchItemFailures);
        Assert.Equal(new BatchSummary(3, 1, 1, 1, 0), result.Summary);
        Assert.Contains(_logs.Lines, l => l.Level == "WARN" && l.Message.Contains("Spaceship", StringComparison.Ordinal) && l.Message.Contains('1'));
        Assert.Contains(_logs.Lines, l => l.Level == "DEBUG" && l.Message.Contains("not denormalized", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failure_is_logged_with_the_record_ids_and_without_the_exception_message()
    {
        var handler = DynamoDBRecordHandler.From((_, _) => throw new InvalidOperationException("user ada@example.com has a bad name"));

        await Processor().RunAsync(Batch("7", "8"), handler, null, _ct);

        var error = Assert.Single(_logs.Lines, l => l.Level == "ERROR");
        Assert.Contains("7", error.Message, StringComparison.Ordinal);
        Assert.Contains("event-7", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(InvalidOperationException), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.com", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_record_without_a_sequence_number_fails_the_whole_batch()
    {
        var batch = Batch("1");
        batch.Records[0].Dynamodb!.SequenceNumber = null;
        var handler = DynamoDBRecordHandler.From((_, _) => throw new InvalidOperationException("boom"));

        await Assert.ThrowsAsync<StreamBatchException>(() => Processor().ProcessAsync(batch, handler, null, _ct).AsTask());
    }

    [Fact]
    public async Task Near_the_deadline_the_unprocessed_records_are_reported_instead_of_timing_out()
    {
        var handler = DynamoDBRecordHandler.From(async (record, ct) =>
        {
            if (record.Dynamodb!.SequenceNumber == "2")
            {
                // Would outlive the invocation: only the deadline's cancellation ends it.
                await Task.Delay(TimeSpan.FromMinutes(5), ct);
            }

            return RecordResult.Processed;
        });
        var context = TestEnvironment.Context(timeout: TimeSpan.FromMilliseconds(2300));

        var result = await Processor(new BatchProcessorOptions { DeadlineMargin = TimeSpan.FromSeconds(2) })
            .RunAsync(Batch("1", "2", "3"), handler, context, _ct);

        Assert.Equal(["2", "3"], result.Response.BatchItemFailures.Select(f => f.ItemIdentifier));
    }

    [Fact]
    public async Task The_hosts_cancellation_is_not_mistaken_for_a_failed_record()
    {
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        var handler = DynamoDBRecordHandler.From(async (_, ct) =>
        {
            await shutdown.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return RecordResult.Processed;
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Processor().ProcessAsync(Batch("1"), handler, null, shutdown.Token).AsTask());
    }

    public void Dispose() => _logs.Dispose();
}
