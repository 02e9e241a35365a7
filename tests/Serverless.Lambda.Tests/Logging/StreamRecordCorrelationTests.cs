using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Lambda.Batch;
using Serverless.Lambda.Events;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Tests.Support;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.Logging;

/// <summary>Every line written while a stream record is handled names the record: its eventID and sequence number.</summary>
public sealed class StreamRecordCorrelationTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lines_written_while_records_are_handled_at_once_each_carry_their_own_records_event_id_and_sequence_number()
    {
        var output = new MemoryStream();
        await using var services = new ServiceCollection()
            .AddLogging(logging => logging.AddLambdaJsonLogging(o =>
            {
                o.Output = output;
                o.MinimumLevel = LogLevel.Debug;
            }))
            .BuildServiceProvider();
        var factory = services.GetRequiredService<ILoggerFactory>();
        // Another logger than the processor's: what a handler's own dependencies log is tied to the record as well.
        var handlerLog = factory.CreateLogger("Handler");
        var handler = DynamoDBRecordHandler.From(async (record, ct) =>
        {
            handlerLog.LogInformation("before the await");
            await Task.Yield();
            handlerLog.LogInformation("after the await");
            return record.Dynamodb!.SequenceNumber == "3" ? throw new InvalidOperationException("poison") : RecordResult.Processed;
        });
        var batch = new DynamoDBEvent
        {
            Records = [.. Enumerable.Range(1, 4).Select(n => new DynamoDBEventRecord
            {
                EventId = $"event-{n}",
                EventName = "MODIFY",
                Dynamodb = new DynamoDBStreamRecord
                {
                    SequenceNumber = n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Keys = new() { ["PK"] = new DynamoDBAttributeValue { S = $"ITEM#{n}" } },
                },
            })],
        };
        var processor = new DynamoDBStreamBatchProcessor(factory.CreateLogger("Processor"), new BatchProcessorOptions { MaxConcurrency = 4 });

        await processor.ProcessAsync(batch, handler, context: null, _ct);

        var lines = LogLines.Parse(output);
        var handled = lines.Where(l => (string)l["name"]! == "Handler").ToList();
        Assert.Equal(8, handled.Count);
        foreach (var line in handled)
        {
            var sequenceNumber = (string)line["sequence_number"]!;
            Assert.Equal($"event-{sequenceNumber}", (string)line["correlation_id"]!);
        }

        Assert.Equal(["1", "2", "3", "4"], handled.Select(l => (string)l["sequence_number"]!).Distinct().Order());
        var failed = Assert.Single(lines, l => (string)l["level"]! == "ERROR");
        Assert.Equal("event-3", (string)failed["correlation_id"]!);
        Assert.Equal("3", (string)failed["sequence_number"]!);
        // The batch's own line is about no one record.
        var done = Assert.Single(lines, l => ((string)l["message"]!).StartsWith("Stream batch of 4", StringComparison.Ordinal));
        Assert.Null(done["correlation_id"]);
        Assert.Null(done["sequence_number"]);
    }
}
