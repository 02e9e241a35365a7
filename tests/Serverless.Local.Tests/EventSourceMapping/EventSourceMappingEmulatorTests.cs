using System.Text.Json;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;
using static Serverless.Local.Tests.Support.StreamTables;

namespace Serverless.Local.Tests.EventSourceMapping;

/// <summary>The emulator against DynamoDB Local's real stream, a fresh table per test.</summary>
public sealed class EventSourceMappingEmulatorTests(DynamoDbLocalFixture dynamo)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Records_reach_the_function_in_item_order_in_the_event_shape_lambda_sends()
    {
        var table = await CreateAsync(dynamo.Client, "esm-shape", _ct);
        var function = new RecordingFunction();
        await using var emulator = await StartAsync(table, Settings(), function);

        await PutAsync(dynamo.Client, table, "USER#1", "PROFILE", _ct, ("name", S("Ada")));
        await PutAsync(dynamo.Client, table, "USER#1", "PROFILE", _ct, ("name", S("Ada L.")));
        await DeleteAsync(dynamo.Client, table, "USER#1", "PROFILE", _ct);
        await PutAsync(dynamo.Client, table, "USER#2", "PROFILE", _ct, ("name", S("Grace")));
        await Eventually.WaitUntilAsync(() => function.AllRecords.Count >= 4, "four records arrived", _ct);

        var records = function.AllRecords;
        Assert.Equal(["INSERT", "MODIFY", "REMOVE", "INSERT"], records.Select(r => r.GetProperty("eventName").GetString()));
        // Reported in the run's one region and account (DynamoDB Local's own ARN says ddblocal:000000000000).
        var localArn = await StreamArnAsync(dynamo.Client, table, _ct);
        var streamArn = "arn:aws:dynamodb:us-east-1:123456789012:" + localArn.Split(':', 6)[5];
        using var sample = TestPaths.Sample("dynamodb-event.json");
        var sampleInsert = sample.RootElement.GetProperty("Records")[0];

        // The same top-level keys, in the same order and casing, as the published sample of an INSERT.
        Assert.Equal(TestPaths.Keys(sampleInsert), TestPaths.Keys(records[0]));
        Assert.Equal(TestPaths.Keys(sampleInsert.GetProperty("dynamodb")), TestPaths.Keys(records[0].GetProperty("dynamodb")));
        Assert.Equal(
            ["ApproximateCreationDateTime", "Keys", "NewImage", "OldImage", "SequenceNumber", "SizeBytes", "StreamViewType"],
            TestPaths.Keys(records[1].GetProperty("dynamodb")));
        Assert.Equal(
            ["ApproximateCreationDateTime", "Keys", "OldImage", "SequenceNumber", "SizeBytes", "StreamViewType"],
            TestPaths.Keys(records[2].GetProperty("dynamodb")));
        foreach (var record in records)
        {
            Assert.Equal("1.1", record.GetProperty("eventVersion").GetString());
            Assert.Equal("aws:dynamodb", record.GetProperty("eventSource").GetString());
            Assert.Equal(streamArn, record.GetProperty("eventSourceARN").GetString());
            Assert.False(record.TryGetProperty("userIdentity", out var _), "a user's own write carries no userIdentity");
            Assert.Equal("us-east-1", record.GetProperty("awsRegion").GetString());
            var created = record.GetProperty("dynamodb").GetProperty("ApproximateCreationDateTime");
            Assert.Contains('.', created.GetRawText());
            Assert.True(created.TryGetDouble(out var seconds), "ApproximateCreationDateTime is fractional epoch seconds, as Lambda sends it");
            Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.Equal("NEW_AND_OLD_IMAGES", record.GetProperty("dynamodb").GetProperty("StreamViewType").GetString());
        }

        Assert.Equal("Ada", records[1].GetProperty("dynamodb").GetProperty("OldImage").GetProperty("name").GetProperty("S").GetString());
        Assert.Equal("Ada L.", records[1].GetProperty("dynamodb").GetProperty("NewImage").GetProperty("name").GetProperty("S").GetString());
        var sequence = records.Select(r => System.Numerics.BigInteger.Parse(r.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(sequence.Order(), sequence);
    }

    [Fact]
    public async Task A_record_the_filter_excludes_never_reaches_the_function()
    {
        var table = await CreateAsync(dynamo.Client, "esm-filter", _ct);
        var function = new RecordingFunction();
        var settings = Settings() with
        {
            Filters = [FilterPattern.Parse("""{"dynamodb":{"NewImage":{"entityType":{"S":["Order"]}}}}""")],
        };
        await using var emulator = await StartAsync(table, settings, function);

        await PutAsync(dynamo.Client, table, "USER#1", "u1", _ct, ("entityType", S("User")));
        await PutAsync(dynamo.Client, table, "ORDER#1", "o1", _ct, ("entityType", S("Order")));
        await PutAsync(dynamo.Client, table, "USER#2", "u2", _ct, ("entityType", S("User")));
        await PutAsync(dynamo.Client, table, "ORDER#2", "o2", _ct, ("entityType", S("Order")));

        // Records of a shard arrive in order, so once o2 is in, u1 and u2 would have been delivered before it.
        await Eventually.WaitUntilAsync(() => function.Invocations.Any(i => i.Contains("o2")), "the last order arrived", _ct);
        Assert.Equal(["o1", "o2"], function.Invocations.SelectMany(i => i.SortKeys));
    }

    [Fact]
    public async Task Batches_hold_at_most_batch_size_records()
    {
        var table = await CreateAsync(dynamo.Client, "esm-batchsize", _ct);
        for (var i = 1; i <= 5; i++)
        {
            await PutAsync(dynamo.Client, table, "P", $"r{i}", _ct);
        }

        var function = new RecordingFunction();
        await using var emulator = await StartAsync(table, Settings() with { BatchSize = 2 }, function);
        await Eventually.WaitUntilAsync(() => function.AllRecords.Count >= 5, "five records arrived", _ct);

        Assert.Equal([2, 2, 1], function.Invocations.Select(i => i.Records.Count));
        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], function.Invocations.SelectMany(i => i.SortKeys));
    }

    [Fact]
    public async Task The_batching_window_gathers_records_written_within_it_into_one_invocation()
    {
        var table = await CreateAsync(dynamo.Client, "esm-window", _ct);
        var function = new RecordingFunction();
        var window = TimeSpan.FromSeconds(1.5);
        await using var emulator = await StartAsync(table, Settings() with { MaximumBatchingWindow = window }, function);

        var firstWrite = DateTimeOffset.UtcNow;
        await PutAsync(dynamo.Client, table, "P", "w1", _ct);
        await Task.Delay(200, _ct); // spaced writes, each seen by a separate poll
        await PutAsync(dynamo.Client, table, "P", "w2", _ct);
        await PutAsync(dynamo.Client, table, "P", "w3", _ct);
        await Eventually.WaitUntilAsync(() => function.Invocations.Count > 0, "the window closed", _ct);
        var invokedAfter = DateTimeOffset.UtcNow - firstWrite;

        var invocation = Assert.Single(function.Invocations);
        Assert.Equal(["w1", "w2", "w3"], invocation.SortKeys);
        Assert.True(invokedAfter >= window - TimeSpan.FromMilliseconds(100), $"invoked after {invokedAfter}, before the window of {window} closed");
    }

    [Fact]
    public async Task Reported_item_failures_are_retried_from_the_first_failed_record_never_before_it()
    {
        var table = await CreateAsync(dynamo.Client, "esm-partial", _ct);
        for (var i = 1; i <= 5; i++)
        {
            await PutAsync(dynamo.Client, table, "P", $"r{i}", _ct);
        }

        var function = new RecordingFunction
        {
            // First call: r4 and r3 fail (reported out of order); afterwards everything succeeds.
            Behaviour = call => call.Index == 0
                ? $$"""{"batchItemFailures":[{"itemIdentifier":"{{call.SequenceNumberOf("r4")}}"},{"itemIdentifier":"{{call.SequenceNumberOf("r3")}}"}]}"""
                : """{"batchItemFailures":[]}""",
        };
        await using var emulator = await StartAsync(table, Settings() with { ReportBatchItemFailures = true, BatchSize = 10 }, function);
        await Eventually.WaitUntilAsync(() => function.Invocations.Count >= 2, "the retry arrived", _ct);
        await PutAsync(dynamo.Client, table, "P", "r6", _ct);
        await Eventually.WaitUntilAsync(() => function.Invocations.Any(i => i.Contains("r6")), "a later record arrived", _ct);

        var calls = function.Invocations;
        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], calls[0].SortKeys);
        Assert.Equal(["r3", "r4", "r5"], calls[1].SortKeys);
        Assert.Equal(["r6"], calls[2].SortKeys);
        Assert.Equal(3, calls.Count);
    }

    [Fact]
    public async Task An_item_failure_naming_no_record_of_the_batch_retries_the_whole_batch()
    {
        var table = await CreateAsync(dynamo.Client, "esm-badid", _ct);
        await PutAsync(dynamo.Client, table, "P", "r1", _ct);
        await PutAsync(dynamo.Client, table, "P", "r2", _ct);
        var function = new RecordingFunction
        {
            Behaviour = call => call.Index == 0 ? """{"batchItemFailures":[{"itemIdentifier":""}]}""" : null,
        };
        await using var emulator = await StartAsync(table, Settings() with { ReportBatchItemFailures = true }, function);
        await Eventually.WaitUntilAsync(() => function.Invocations.Count >= 2, "the retry arrived", _ct);

        Assert.Equal(function.Invocations[0].SortKeys, function.Invocations[1].SortKeys);
        Assert.Equal(["r1", "r2"], function.Invocations[1].SortKeys);
    }

    [Fact]
    public async Task A_throwing_function_with_bisect_gets_halves_until_the_poison_record_is_alone()
    {
        var table = await CreateAsync(dynamo.Client, "esm-bisect", _ct);
        foreach (var sk in new[] { "a", "b", "poison", "d" })
        {
            await PutAsync(dynamo.Client, table, "P", sk, _ct);
        }

        var destination = new InMemoryOnFailureDestination();
        var function = new RecordingFunction
        {
            Behaviour = call => call.Contains("poison") ? throw new InvalidOperationException("cannot handle poison") : null,
        };
        var settings = Settings() with { BisectBatchOnFunctionError = true, MaximumRetryAttempts = 1 };
        await using var emulator = await StartAsync(table, settings, function, destination);
        await Eventually.WaitUntilAsync(() => function.Invocations.Any(i => i.SortKeys.SequenceEqual(["d"])), "the record after the poison arrived", _ct);

        Assert.Equal(
            ["a,b,poison,d", "a,b", "poison,d", "poison", "poison", "d"],
            function.Invocations.Select(i => string.Join(',', i.SortKeys)));
        var failure = Assert.Single(destination.Records);
        Assert.Equal(1, failure.DdbStreamBatchInfo.BatchSize);
        Assert.Equal(function.Invocations[3].SequenceNumberOf("poison"), failure.DdbStreamBatchInfo.StartSequenceNumber);
        Assert.Equal(failure.DdbStreamBatchInfo.StartSequenceNumber, failure.DdbStreamBatchInfo.EndSequenceNumber);
        Assert.Equal("Unhandled", failure.ResponseContext.FunctionError);
    }

    [Fact]
    public async Task After_the_retry_limit_the_batch_goes_to_the_on_failure_destination_and_the_shard_moves_on()
    {
        var table = await CreateAsync(dynamo.Client, "esm-giveup", _ct);
        foreach (var sk in new[] { "r1", "poison", "r3" })
        {
            await PutAsync(dynamo.Client, table, "P", sk, _ct);
        }

        var destination = new InMemoryOnFailureDestination();
        var function = new RecordingFunction
        {
            Behaviour = call => call.Contains("poison") ? throw new InvalidOperationException("boom") : null,
        };
        var settings = Settings() with { FunctionName = "AuditFunction", MaximumRetryAttempts = 2 };
        await using var emulator = await StartAsync(table, settings, function, destination);
        await Eventually.WaitUntilAsync(() => destination.Records.Count > 0, "the batch was given up", _ct);
        await PutAsync(dynamo.Client, table, "P", "later", _ct);
        await Eventually.WaitUntilAsync(() => function.Invocations.Any(i => i.Contains("later")), "a later record arrived", _ct);

        // One attempt and two retries of the same batch, then the next record.
        Assert.Equal(["r1,poison,r3", "r1,poison,r3", "r1,poison,r3", "later"], function.Invocations.Select(i => string.Join(',', i.SortKeys)));

        // Reported in the run's one region and account (DynamoDB Local's own ARN says ddblocal:000000000000).
        var localArn = await StreamArnAsync(dynamo.Client, table, _ct);
        var streamArn = "arn:aws:dynamodb:us-east-1:123456789012:" + localArn.Split(':', 6)[5];
        using var written = JsonDocument.Parse(Assert.Single(destination.Json));
        using var sample = TestPaths.Sample("dynamoStreamLambdaInvocationEvent.json");
        AssertSameShape(sample.RootElement, written.RootElement);

        var record = written.RootElement;
        Assert.Equal("RetryAttemptsExhausted", record.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(3, record.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:AuditFunction", record.GetProperty("requestContext").GetProperty("functionArn").GetString());
        var info = record.GetProperty("DDBStreamBatchInfo");
        Assert.Equal(3, info.GetProperty("batchSize").GetInt32());
        Assert.Equal(function.Invocations[0].SequenceNumberOf("r1"), info.GetProperty("startSequenceNumber").GetString());
        Assert.Equal(function.Invocations[0].SequenceNumberOf("r3"), info.GetProperty("endSequenceNumber").GetString());
        Assert.Equal(streamArn, info.GetProperty("streamArn").GetString());
        Assert.False(string.IsNullOrEmpty(info.GetProperty("shardId").GetString()));
        Assert.True(DateTimeOffset.TryParse(info.GetProperty("approximateArrivalOfFirstRecord").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Fact]
    public async Task Records_older_than_the_maximum_age_are_given_up_without_invoking_the_function()
    {
        var table = await CreateAsync(dynamo.Client, "esm-age", _ct);
        await PutAsync(dynamo.Client, table, "P", "old", _ct);
        var destination = new InMemoryOnFailureDestination();
        var function = new RecordingFunction();

        // A clock two hours ahead makes the record two hours old.
        await using var emulator = await StartAsync(table, Settings() with { MaximumRecordAgeInSeconds = 3600 }, function, destination, new ShiftedClock(TimeSpan.FromHours(2)));
        await Eventually.WaitUntilAsync(() => destination.Records.Count > 0, "the old record was given up", _ct);

        Assert.Empty(function.Invocations);
        var failure = Assert.Single(destination.Records);
        Assert.Equal(OnFailureConditions.RecordAgeExceeded, failure.RequestContext.Condition);
        Assert.Equal(0, failure.RequestContext.ApproximateInvokeCount);
    }

    [Fact]
    public async Task A_json_lines_destination_appends_one_readable_record_per_line()
    {
        var path = Path.Combine(Path.GetTempPath(), $"esm-failures-{Guid.NewGuid():N}.jsonl");
        try
        {
            var destination = new JsonLinesFileDestination(path);
            var record = new OnFailureRecord
            {
                RequestContext = new OnFailureRequestContext { RequestId = "r", FunctionArn = "arn:aws:lambda:us-east-1:1:function:f", Condition = OnFailureConditions.RetryAttemptsExhausted, ApproximateInvokeCount = 2 },
                ResponseContext = new OnFailureResponseContext { FunctionError = "Unhandled" },
                Timestamp = "2024-01-01T00:00:00Z",
                DdbStreamBatchInfo = new DdbStreamBatchInfo { ShardId = "s", StartSequenceNumber = "1", EndSequenceNumber = "2", BatchSize = 2, StreamArn = "arn" },
            };

            await destination.SendAsync(record, _ct);
            await destination.SendAsync(record with { Timestamp = "2024-01-01T00:00:01Z" }, _ct);

            Assert.Equal(2, (await File.ReadAllLinesAsync(path, _ct)).Length);
            var read = await JsonLinesFileDestination.ReadAllAsync(path, _ct);
            Assert.Equal(["2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z"], read.Select(r => r.Timestamp));
            Assert.Equal(record, read[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static EventSourceMappingSettings Settings() => new() { FunctionName = "TestFunction", BatchSize = 100 };

    private Task<EmulatorHarness> StartAsync(
        string table,
        EventSourceMappingSettings settings,
        RecordingFunction function,
        IOnFailureDestination? destination = null,
        TimeProvider? clock = null) =>
        EmulatorHarness.StartAsync(dynamo, new StreamFunctionMapping(settings, table, function.InvokeAsync, destination), _ct, clock: clock);

    /// <summary>Same keys in the same order at every level of objects.</summary>
    private static void AssertSameShape(JsonElement expected, JsonElement actual, string path = "$")
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: expected {expected.ValueKind}, got {actual.ValueKind}");
        if (expected.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        Assert.Equal(TestPaths.Keys(expected), TestPaths.Keys(actual));
        foreach (var property in expected.EnumerateObject())
        {
            AssertSameShape(property.Value, actual.GetProperty(property.Name), $"{path}.{property.Name}");
        }
    }
}
