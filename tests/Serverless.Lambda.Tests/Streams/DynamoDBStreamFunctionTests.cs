using System.Text.Json.Nodes;
using Serverless.Lambda.Runtime;
using Serverless.Lambda.Streams;
using Serverless.Lambda.Tests.Support;

namespace Serverless.Lambda.Tests.Streams;

public sealed class DynamoDBStreamFunctionTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static LambdaContext Context() => new(TimeProvider.System) { AwsRequestId = "stream-1", Deadline = DateTimeOffset.UtcNow.AddMinutes(1) };

    [Fact]
    public async Task A_fully_processed_batch_reports_no_failures()
    {
        var seen = new List<string>();
        var function = DynamoDBStreamFunction.Create((record, _, _) =>
        {
            seen.Add(record.EventName!);
            return ValueTask.CompletedTask;
        });

        var response = await function.InvokeAsync(Samples.Bytes("dynamodb-timewindow-event.json"), Context(), Token);

        Assert.Equal(["INSERT", "MODIFY", "REMOVE"], seen);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{\"batchItemFailures\":[]}"), JsonNode.Parse(response.Span)));
    }

    [Fact]
    public async Task A_failing_record_is_reported_with_every_later_record_left_unprocessed()
    {
        var seen = new List<string>();
        var function = DynamoDBStreamFunction.Create((record, _, _) =>
        {
            seen.Add(record.Dynamodb!.SequenceNumber!);
            return record.EventName == "MODIFY" ? throw new InvalidOperationException("poison") : ValueTask.CompletedTask;
        });

        var response = await function.InvokeAsync(Samples.Bytes("dynamodb-timewindow-event.json"), Context(), Token);

        Assert.Equal(["111", "222"], seen);
        var expected = JsonNode.Parse("{\"batchItemFailures\":[{\"itemIdentifier\":\"222\"},{\"itemIdentifier\":\"333\"}]}");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(response.Span)));
    }
}
