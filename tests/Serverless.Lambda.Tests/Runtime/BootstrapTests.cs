using System.Text;
using System.Text.Json.Nodes;
using Serverless.Lambda.Events;
using Serverless.Lambda.Runtime;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.Runtime;

public sealed class BootstrapTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static QueuedInvocation Invocation(int number, string? traceId = null) => new(
        $"request-{number}",
        Encoding.UTF8.GetBytes($"{{\"n\":{number}}}"),
        traceId,
        Now.AddSeconds(30).ToUnixTimeMilliseconds(),
        "arn:aws:lambda:us-east-1:123456789012:function:api");

    private static (LambdaBootstrap Bootstrap, TestEnvironment Environment) CreateBootstrap(FakeRuntimeApi fake)
    {
        var environment = new TestEnvironment(new()
        {
            [LambdaEnvironmentVariables.FunctionName] = "api",
            [LambdaEnvironmentVariables.FunctionVersion] = "$LATEST",
            [LambdaEnvironmentVariables.FunctionMemorySize] = "512",
            [LambdaEnvironmentVariables.LogGroupName] = "/aws/lambda/api",
        });
        return (new LambdaBootstrap(new RuntimeApiClient(fake.HostAndPort), environment, new ManualTimeProvider(Now)), environment);
    }

    [Fact]
    public async Task Every_invocation_in_gets_its_response_out_with_the_context_lambda_sent()
    {
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        var (bootstrap, environment) = CreateBootstrap(fake);
        const int count = 5;
        for (var i = 1; i <= count; i++)
        {
            fake.Enqueue(Invocation(i, traceId: $"Root=1-00000000-00000000000000000000000{i};Sampled=1"));
        }

        var function = LambdaFunction.Create((payload, context, _) =>
        {
            var input = JsonNode.Parse(payload.Span)!;
            var output = new JsonObject
            {
                ["n"] = (int)input["n"]!,
                ["requestId"] = context.AwsRequestId,
                ["arn"] = context.InvokedFunctionArn,
                ["remainingSeconds"] = context.RemainingTime.TotalSeconds,
                ["functionName"] = context.FunctionName,
                ["memory"] = context.MemoryLimitInMB,
                ["traceEnvironment"] = environment.GetVariable(LambdaEnvironmentVariables.TraceId),
                ["traceContext"] = context.TraceId,
            };
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes(output.ToJsonString()));
        });

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = bootstrap.RunAsync(_ => ValueTask.FromResult(function), stop.Token);
        var posts = await fake.TakePostsAsync(count, Token);
        await stop.CancelAsync();

        Assert.Equal(0, await run);
        Assert.All(posts, post => Assert.Equal("response", post.Kind));
        for (var i = 1; i <= count; i++)
        {
            var post = posts[i - 1];
            var body = JsonNode.Parse(post.Body)!;
            Assert.Equal($"request-{i}", post.RequestId);
            Assert.Equal(i, (int)body["n"]!);
            Assert.Equal($"request-{i}", (string)body["requestId"]!);
            Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:api", (string)body["arn"]!);
            Assert.Equal(30, (double)body["remainingSeconds"]!);
            Assert.Equal("api", (string)body["functionName"]!);
            Assert.Equal(512, (int)body["memory"]!);
            Assert.Equal($"Root=1-00000000-00000000000000000000000{i};Sampled=1", (string)body["traceEnvironment"]!);
            Assert.Equal((string)body["traceEnvironment"]!, (string)body["traceContext"]!);
        }
    }

    [Fact]
    public async Task A_throwing_handler_is_reported_as_an_invocation_error_and_the_loop_goes_on()
    {
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        var (bootstrap, _) = CreateBootstrap(fake);
        fake.Enqueue(Invocation(1));
        fake.Enqueue(Invocation(2));
        fake.Enqueue(Invocation(3));

        var function = LambdaFunction.Create((payload, context, _) => context.AwsRequestId == "request-2"
            ? throw new InvalidOperationException("order 42 is broken")
            : ValueTask.FromResult(payload));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = bootstrap.RunAsync(_ => ValueTask.FromResult(function), stop.Token);
        var posts = await fake.TakePostsAsync(3, Token);
        await stop.CancelAsync();
        await run;

        Assert.Equal(("response", "request-1"), (posts[0].Kind, posts[0].RequestId));
        Assert.Equal(("error", "request-2"), (posts[1].Kind, posts[1].RequestId));
        Assert.Equal(("response", "request-3"), (posts[2].Kind, posts[2].RequestId));
        Assert.Equal("{\"n\":3}", posts[2].Text);

        var error = JsonNode.Parse(posts[1].Body)!;
        Assert.Equal("InvalidOperationException", posts[1].ErrorType);
        Assert.Equal("InvalidOperationException", (string)error["errorType"]!);
        Assert.Equal("order 42 is broken", (string)error["errorMessage"]!);
        Assert.NotEmpty(error["stackTrace"]!.AsArray());
    }

    [Fact]
    public async Task A_failing_initialization_is_reported_as_an_init_error_and_ends_with_a_non_zero_exit_code()
    {
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        var (bootstrap, _) = CreateBootstrap(fake);
        fake.Enqueue(Invocation(1));

        var exitCode = await bootstrap.RunAsync(_ => throw new InvalidOperationException("table name missing"), Token);

        var post = Assert.Single(await fake.TakePostsAsync(1, Token));
        Assert.NotEqual(0, exitCode);
        Assert.Equal("init-error", post.Kind);
        Assert.Equal("InvalidOperationException", post.ErrorType);
        Assert.Equal("table name missing", (string)JsonNode.Parse(post.Body)!["errorMessage"]!);
        Assert.Equal(0, fake.NextCalls);
    }

    [Fact]
    public async Task An_unknown_handler_is_an_init_error_naming_the_known_handlers()
    {
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        var (bootstrap, _) = CreateBootstrap(fake);
        var echo = LambdaFunction.Create((payload, _, _) => ValueTask.FromResult(payload));
        var registry = new FunctionRegistry<string>(
        [
            new("Api", (_, _) => ValueTask.FromResult(echo)),
            new("Audit", (_, _) => ValueTask.FromResult(echo)),
        ]);

        var exitCode = await bootstrap.RunAsync(cancellationToken => registry.CreateAsync("Purge", "options", cancellationToken), Token);

        var post = Assert.Single(await fake.TakePostsAsync(1, Token));
        var error = JsonNode.Parse(post.Body)!;
        Assert.Equal(1, exitCode);
        Assert.Equal("init-error", post.Kind);
        Assert.Equal("Runtime.NoSuchHandler", post.ErrorType);
        Assert.Equal("Runtime.NoSuchHandler", (string)error["errorType"]!);
        Assert.Equal("Unknown handler 'Purge'. Set the function's Handler (_HANDLER) to one of: Api, Audit.", (string)error["errorMessage"]!);
    }

    [Fact]
    public async Task A_missing_trace_header_clears_the_previous_invocations_trace_id()
    {
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        var (bootstrap, environment) = CreateBootstrap(fake);
        fake.Enqueue(Invocation(1, traceId: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"));
        fake.Enqueue(Invocation(2, traceId: null));

        var function = LambdaFunction.Create((_, _, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(
            Encoding.UTF8.GetBytes($"\"{environment.GetVariable(LambdaEnvironmentVariables.TraceId)}\"")));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = bootstrap.RunAsync(_ => ValueTask.FromResult(function), stop.Token);
        var posts = await fake.TakePostsAsync(2, Token);
        await stop.CancelAsync();
        await run;

        Assert.Equal("\"Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1\"", posts[0].Text);
        Assert.Equal("\"\"", posts[1].Text);
    }

    [Fact]
    public async Task A_typed_function_reads_events_with_a_byte_order_mark_and_writes_its_response_type()
    {
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        var (bootstrap, _) = CreateBootstrap(fake);
        fake.Enqueue(new QueuedInvocation("stream-1", Samples.Bytes("dynamodb-event.json"), null, Now.AddSeconds(5).ToUnixTimeMilliseconds(), null));

        var function = LambdaFunction.Create(
            LambdaJsonContext.Default.DynamoDBEvent,
            LambdaJsonContext.Default.StreamsEventResponse,
            (batch, _, _) => ValueTask.FromResult(new StreamsEventResponse
            {
                BatchItemFailures = [new() { ItemIdentifier = batch.Records[^1].Dynamodb!.SequenceNumber }],
            }));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = bootstrap.RunAsync(_ => ValueTask.FromResult(function), stop.Token);
        var post = Assert.Single(await fake.TakePostsAsync(1, Token));
        await stop.CancelAsync();
        await run;

        Assert.Equal("response", post.Kind);
        Assert.Equal("{\"batchItemFailures\":[{\"itemIdentifier\":\"1405400000000002063282832\"}]}", post.Text);
    }

    [Fact]
    public async Task A_response_over_six_megabytes_is_reported_as_that_invocations_error_and_the_next_invocation_is_served()
    {
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        var (bootstrap, _) = CreateBootstrap(fake);
        fake.Enqueue(Invocation(1));
        fake.Enqueue(Invocation(2));
        var sevenMegabytes = Encoding.UTF8.GetBytes("\"" + new string('x', 7 * 1024 * 1024) + "\"");

        var function = LambdaFunction.Create((payload, context, _) =>
            ValueTask.FromResult<ReadOnlyMemory<byte>>(context.AwsRequestId == "request-1" ? sevenMegabytes : payload));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = bootstrap.RunAsync(_ => ValueTask.FromResult(function), stop.Token);
        var posts = await fake.TakePostsAsync(2, Token);
        await stop.CancelAsync();
        Assert.Equal(0, await run);

        Assert.Equal(("error", "request-1", "Function.ResponseSizeTooLarge"), (posts[0].Kind, posts[0].RequestId, posts[0].ErrorType));
        Assert.Contains("exceeded maximum allowed payload size (6291556 bytes)", (string)JsonNode.Parse(posts[0].Body)!["errorMessage"]!, StringComparison.Ordinal);
        Assert.Equal(("response", "request-2", "{\"n\":2}"), (posts[1].Kind, posts[1].RequestId, posts[1].Text));
    }

    [Fact]
    public async Task A_413_from_the_runtime_api_is_the_invocations_error_and_the_loop_goes_on()
    {
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        // A Runtime API whose limit is below ours: its 413 is what counts.
        fake.MaxResponseBytes = 1024;
        var (bootstrap, _) = CreateBootstrap(fake);
        fake.Enqueue(Invocation(1));
        fake.Enqueue(Invocation(2));
        var twoKilobytes = Encoding.UTF8.GetBytes("\"" + new string('y', 2048) + "\"");

        var function = LambdaFunction.Create((payload, context, _) =>
            ValueTask.FromResult<ReadOnlyMemory<byte>>(context.AwsRequestId == "request-1" ? twoKilobytes : payload));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = bootstrap.RunAsync(_ => ValueTask.FromResult(function), stop.Token);
        var posts = await fake.TakePostsAsync(2, Token);
        await stop.CancelAsync();
        Assert.Equal(0, await run);

        Assert.Equal(1, fake.RefusedResponses);
        Assert.Equal(("error", "request-1", "Function.ResponseSizeTooLarge"), (posts[0].Kind, posts[0].RequestId, posts[0].ErrorType));
        Assert.Equal(("response", "request-2"), (posts[1].Kind, posts[1].RequestId));
    }

    [Fact]
    public async Task An_aggregate_is_reported_with_its_causes_an_inner_exception_as_the_cause_and_both_with_an_xray_cause()
    {
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        var (bootstrap, _) = CreateBootstrap(fake);
        fake.Enqueue(Invocation(1));
        fake.Enqueue(Invocation(2));

        var function = LambdaFunction.Create((payload, context, _) => context.AwsRequestId == "request-1"
            ? throw new AggregateException(new TimeoutException("the table did not answer"), new IOException("the socket closed"))
            : throw new InvalidOperationException("could not save", new FormatException("bad date")));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = bootstrap.RunAsync(_ => ValueTask.FromResult(function), stop.Token);
        var posts = await fake.TakePostsAsync(2, Token);
        await stop.CancelAsync();
        await run;

        var aggregate = JsonNode.Parse(posts[0].Body)!;
        Assert.Equal("AggregateException", (string)aggregate["errorType"]!);
        var causes = aggregate["causes"]!.AsArray();
        Assert.Equal(["TimeoutException", "IOException"], causes.Select(c => (string)c!["errorType"]!));
        Assert.Equal("the table did not answer", (string)causes[0]!["errorMessage"]!);
        Assert.Null(aggregate["cause"]);

        var wrapped = JsonNode.Parse(posts[1].Body)!;
        Assert.Equal("InvalidOperationException", (string)wrapped["errorType"]!);
        Assert.Equal("FormatException", (string)wrapped["cause"]!["errorType"]!);
        Assert.Equal("bad date", (string)wrapped["cause"]!["errorMessage"]!);

        foreach (var post in posts)
        {
            Assert.NotNull(post.XRayCause);
            Assert.DoesNotContain('\n', post.XRayCause);
            var cause = JsonNode.Parse(post.XRayCause)!;
            Assert.Equal(Environment.CurrentDirectory, (string)cause["working_directory"]!);
            Assert.Equal(post.ErrorType, (string)cause["exceptions"]![0]!["type"]!);
            Assert.NotEmpty(cause["exceptions"]![0]!["stack"]!.AsArray());
        }
    }

    [Fact]
    public void An_error_report_over_256_kilobytes_leaves_out_stacks_and_causes_before_the_message()
    {
        var huge = new AggregateException(Enumerable.Range(0, 2000).Select(i => new InvalidOperationException(new string('m', 200) + i)));

        var json = RuntimeErrorReport.From(huge).ToJson();

        Assert.True(json.Length <= RuntimeErrorReport.MaxBytes);
        var report = JsonNode.Parse(json)!;
        Assert.Equal("AggregateException", (string)report["errorType"]!);
        Assert.Null(report["causes"]);
    }

    [Fact]
    public async Task An_event_a_typed_function_cannot_read_is_a_runtime_unmarshal_error_naming_the_path_not_the_value()
    {
        await using var fake = await FakeRuntimeApi.StartAsync(Token);
        var (bootstrap, _) = CreateBootstrap(fake);
        fake.Enqueue(new QueuedInvocation("stream-1", Encoding.UTF8.GetBytes("{\"Records\":\"secret-value\"}"), null, Now.AddSeconds(5).ToUnixTimeMilliseconds(), null));

        var function = LambdaFunction.Create(
            LambdaJsonContext.Default.DynamoDBEvent,
            LambdaJsonContext.Default.StreamsEventResponse,
            (_, _, _) => ValueTask.FromResult(new StreamsEventResponse()));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var run = bootstrap.RunAsync(_ => ValueTask.FromResult(function), stop.Token);
        var post = Assert.Single(await fake.TakePostsAsync(1, Token));
        await stop.CancelAsync();
        await run;

        Assert.Equal(("error", "Runtime.UnmarshalError"), (post.Kind, post.ErrorType));
        Assert.Contains("$.Records", post.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", post.Text, StringComparison.Ordinal);
    }
}
