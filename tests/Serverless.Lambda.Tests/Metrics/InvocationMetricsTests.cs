using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Lambda.Batch;
using Serverless.Lambda.Events;
using Serverless.Lambda.Metrics;
using Serverless.Lambda.Runtime;
using Serverless.Lambda.Tests.Runtime;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.Metrics;

public sealed class InvocationMetricsTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static QueuedInvocation Invocation(string id, string payload = "{}") =>
        new(id, Encoding.UTF8.GetBytes(payload), null, Now.AddSeconds(30).ToUnixTimeMilliseconds(), null);

    /// <summary>Runs the function over the invocations and returns each EMF line written, validated, in order.</summary>
    private static async Task<List<JsonObject>> RunAsync(ILambdaFunction function, params QueuedInvocation[] invocations)
    {
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        using var output = new MemoryStream();
        using var metrics = new LambdaMetrics(
            new LambdaMetricsOptions { Output = output, Service = "orders-api", RefuseUnknownDimensions = true }, new ManualTimeProvider(Now));
        var bootstrap = new LambdaBootstrap(new RuntimeApiClient(fake.HostAndPort), new TestEnvironment(), new ManualTimeProvider(Now), metrics: metrics);
        foreach (var invocation in invocations)
        {
            fake.Enqueue(invocation);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = bootstrap.RunAsync(_ => ValueTask.FromResult(function), stop.Token);
        await fake.TakePostsAsync(invocations.Length, Token);
        await stop.CancelAsync();
        await run;

        return Encoding.UTF8.GetString(output.ToArray())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => EmfSpecification.AssertValid(Encoding.UTF8.GetBytes(line)))
            .ToList();
    }

    [Fact]
    public async Task The_first_invocation_counts_a_cold_start_and_later_ones_write_nothing_for_it()
    {
        var function = LambdaFunction.Create((payload, _, _) => ValueTask.FromResult(payload));

        var documents = await RunAsync(function, Invocation("first"), Invocation("second"));

        var document = Assert.Single(documents);
        Assert.Equal(1, (double)document[LambdaMetrics.ColdStartMetric]!);
        Assert.Equal("orders-api", (string)document["Service"]!);
        Assert.Equal("first", (string)document["function_request_id"]!);
    }

    [Fact]
    public async Task An_invocation_writes_its_metrics_once_when_it_ends_even_when_it_fails()
    {
        var function = new DimensionedFunction((payload, context, _) =>
        {
            for (var i = 0; i < 3; i++)
            {
                InvocationMetrics.Add("Work", MetricUnit.Milliseconds, i, [new("Step", "parse")]);
            }

            return context.AwsRequestId == "third" ? throw new InvalidOperationException("broken") : ValueTask.FromResult(payload);
        });

        var documents = await RunAsync(function, Invocation("first"), Invocation("second"), Invocation("third"));

        // The cold start (no Step dimension) shares the first invocation's document as a directive of its own.
        Assert.Equal(["first", "second", "third"], documents.Select(d => (string)d["function_request_id"]!));
        Assert.All(documents, d => Assert.Equal([0.0, 1, 2], d["Work"]!.AsArray().Select(v => (double)v!)));
        Assert.Equal(1, (double)documents[0][LambdaMetrics.ColdStartMetric]!);
        Assert.Equal(2, documents[0]["_aws"]!["CloudWatchMetrics"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_stream_batch_writes_its_size_records_processed_failures_and_record_ages()
    {
        var handler = DynamoDBRecordHandler.From((record, _) => ValueTask.FromResult(
            record.Dynamodb!.SequenceNumber == "3" ? throw new InvalidOperationException("poison") : RecordResult.Processed));
        var function = DynamoDBStreamFunction.Create(handler, NullLogger.Instance, new BatchProcessorOptions { Clock = new ManualTimeProvider(Now) });
        var batch = new JsonObject
        {
            ["Records"] = new JsonArray([.. new[] { "1", "2", "3", "4" }.Select(s => (JsonNode)new JsonObject
            {
                ["eventID"] = "event-" + s,
                ["eventName"] = "MODIFY",
                ["dynamodb"] = new JsonObject
                {
                    ["SequenceNumber"] = s,
                    ["ApproximateCreationDateTime"] = Now.AddSeconds(-int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToUnixTimeSeconds(),
                },
            })]),
        };

        var documents = await RunAsync(function, Invocation("batch", batch.ToJsonString()));

        var document = Assert.Single(documents);
        Assert.Equal(4, (double)document[StreamMetricNames.BatchSize]!);
        Assert.Equal(2, (double)document[StreamMetricNames.RecordsProcessed]!);
        Assert.Equal(2, (double)document[StreamMetricNames.BatchItemFailures]!);
        Assert.Equal([1000.0, 2000.0], document[StreamMetricNames.RecordAge]!.AsArray().Select(v => (double)v!));
    }

    [Fact]
    public async Task A_batch_that_fails_nothing_writes_no_failure_count()
    {
        var handler = DynamoDBRecordHandler.From((_, _) => ValueTask.FromResult(RecordResult.Processed));
        var function = DynamoDBStreamFunction.Create(handler, NullLogger.Instance);

        var documents = await RunAsync(function, Invocation("batch", "{\"Records\":[{\"eventID\":\"e\",\"eventName\":\"INSERT\",\"dynamodb\":{\"SequenceNumber\":\"1\"}}]}"));

        Assert.Null(Assert.Single(documents)[StreamMetricNames.BatchItemFailures]);
    }

    /// <summary>A function with a dimension of its own, as the API adds its route templates.</summary>
    private sealed class DimensionedFunction(LambdaHandler handler) : ILambdaFunction, IMetricDimensionSource
    {
        public IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> MetricDimensions => [new("Step", ["parse"])];

        public ValueTask<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) =>
            handler(payload, context, cancellationToken);
    }
}
