using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Client;
using Serverless.Lambda.Runtime;
using Serverless.Lambda.Tests.Runtime;
using Serverless.Lambda.Tracing;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.Tracing;

/// <summary>
/// Invocations through the bootstrap, with the tracer pointed at a UDP daemon of the test's own: during a sampled
/// invocation each DynamoDB call (against DynamoDB Local) arrives as a subsegment of the function's segment, with the
/// invocation's Root and Parent; an unsampled invocation sends nothing.
/// </summary>
[Collection(DynamoDbLocalCollection.Name)]
public sealed class XRayTracerTests(DynamoDbLocalFixture dynamo) : IAsyncLifetime
{
    private const string Root = "1-5759e988-bd862e3fe1be46a994272793";
    private const string Parent = "53995c3f42cd8ad8";
    private const string Secret = "ingrid.vasquez-trace@example.org";
    private static readonly ActivitySource TestSource = new("Serverless.Tests.Tracing");

    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly FakeXRayDaemon _daemon = new();
    private readonly string _table = "tracing-" + Guid.NewGuid().ToString("N");
    private IAmazonDynamoDB _client = null!;

    public async ValueTask InitializeAsync()
    {
        await dynamo.Client.CreateTableAsync(
            new CreateTableRequest
            {
                TableName = _table,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions = [new("PK", ScalarAttributeType.S), new("SK", ScalarAttributeType.S)],
                KeySchema = [new("PK", KeyType.HASH), new("SK", KeyType.RANGE)],
            },
            _ct);
        _client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString());
    }

    [Fact]
    public async Task A_dynamodb_call_in_a_sampled_invocation_arrives_as_a_subsegment_of_the_functions_segment()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync(_ct);
        using var tracer = new XRayTracer(_daemon.Endpoint);
        var bootstrap = Bootstrap(runtime, tracer);
        var function = LambdaFunction.Create(async (_, _, ct) =>
        {
            await _client.PutItemAsync(new PutItemRequest { TableName = _table, Item = Item(Secret) }, ct);
            return "{}"u8.ToArray();
        });

        runtime.Enqueue(Invocation("sampled", $"Root={Root};Parent={Parent};Sampled=1"));
        await bootstrap.ProcessNextInvocationAsync(function, _ct);

        Assert.Equal("response", Assert.Single(await runtime.TakePostsAsync(1, _ct)).Kind);
        var datagram = await _daemon.ReceiveAsync(_ct);
        Assert.Equal("""{"format": "json", "version": 1}""", datagram.Header);
        var document = datagram.Document;
        Assert.Equal("DynamoDB", (string?)document["name"]);
        Assert.Equal(Root, (string?)document["trace_id"]);
        Assert.Equal(Parent, (string?)document["parent_id"]);
        Assert.Equal("subsegment", (string?)document["type"]);
        Assert.Matches("^[0-9a-f]{16}$", (string?)document["id"]);
        Assert.NotEqual(Parent, (string?)document["id"]);
        Assert.Equal("aws", (string?)document["namespace"]);
        var start = (double)document["start_time"]!;
        var end = (double)document["end_time"]!;
        Assert.InRange(start, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        Assert.True(end >= start, $"end {end} before start {start}");
        Assert.NotEqual(Math.Floor(start), start);
        var aws = (JsonObject)document["aws"]!;
        Assert.Equal("PutItem", (string?)aws["operation"]);
        Assert.Equal(_table, (string?)aws["table_name"]);
        Assert.Equal(0, (int)aws["retries"]!);
        Assert.Equal(DynamoDbClients.DefaultRegion, (string?)aws["region"]);
        Assert.False(string.IsNullOrEmpty((string?)aws["request_id"]));
        Assert.Equal(200, (int)document["http"]!["response"]!["status"]!);
        Assert.Null(document["error"]);
        Assert.Null(document["fault"]);
        Assert.Null(document["in_progress"]);
        Assert.True((double)document["metadata"]!["default"]![AwsSpanTags.ConsumedWriteCapacity]! >= 1);
        Assert.DoesNotContain("vasquez", datagram.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unsampled_invocation_sends_nothing_and_the_next_sampled_one_sends_only_its_own()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync(_ct);
        using var tracer = new XRayTracer(_daemon.Endpoint);
        var bootstrap = Bootstrap(runtime, tracer);
        var function = LambdaFunction.Create(async (_, _, ct) =>
        {
            await _client.PutItemAsync(new PutItemRequest { TableName = _table, Item = Item("a") }, ct);
            await _client.GetItemAsync(new GetItemRequest { TableName = _table, Key = Item("a") }, ct);
            return "{}"u8.ToArray();
        });
        const string unsampledRoot = "1-5759e988-00000000000000000000000a";

        runtime.Enqueue(Invocation("unsampled", $"Root={unsampledRoot};Parent={Parent};Sampled=0"));
        await bootstrap.ProcessNextInvocationAsync(function, _ct);
        runtime.Enqueue(Invocation("no-header", null));
        await bootstrap.ProcessNextInvocationAsync(function, _ct);
        runtime.Enqueue(Invocation("sampled", $"Root={Root};Parent={Parent};Sampled=1"));
        await bootstrap.ProcessNextInvocationAsync(function, _ct);
        await runtime.TakePostsAsync(3, _ct);

        // Loopback keeps the order: had the first two invocations sent anything, it would come before these.
        var received = await _daemon.ReceiveAsync(2, _ct);
        Assert.Equal(["PutItem", "GetItem"], received.Select(d => (string?)d.Document["aws"]!["operation"]));
        Assert.All(received, d => Assert.Equal(Root, (string?)d.Document["trace_id"]));
        Assert.Equal(0, _daemon.Pending);
    }

    [Fact]
    public async Task A_call_inside_a_span_of_ours_is_that_spans_child_and_a_failed_call_is_an_error_with_its_type()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync(_ct);
        using var tracer = new XRayTracer(_daemon.Endpoint);
        var bootstrap = Bootstrap(runtime, tracer);
        var function = LambdaFunction.Create(async (_, _, ct) =>
        {
            using (TestSource.StartActivity("Checkout"))
            {
                await _client.GetItemAsync(new GetItemRequest { TableName = _table, Key = Item("b") }, ct);
                try
                {
                    await _client.GetItemAsync(new GetItemRequest { TableName = "missing-" + _table, Key = Item(Secret) }, ct);
                }
                catch (ResourceNotFoundException)
                {
                }
            }

            return "{}"u8.ToArray();
        });

        runtime.Enqueue(Invocation("nested", $"Root={Root};Parent={Parent};Sampled=1"));
        await bootstrap.ProcessNextInvocationAsync(function, _ct);
        await runtime.TakePostsAsync(1, _ct);

        // A span is sent when it ends: the two calls, then the span around them.
        var received = await _daemon.ReceiveAsync(3, _ct);
        var (found, failed, outer) = (received[0].Document, received[1].Document, received[2].Document);
        Assert.Equal("Checkout", (string?)outer["name"]);
        Assert.Equal(Parent, (string?)outer["parent_id"]);
        Assert.Null(outer["namespace"]);
        Assert.Equal((string?)outer["id"], (string?)found["parent_id"]);
        Assert.Equal((string?)outer["id"], (string?)failed["parent_id"]);
        Assert.Equal(3, received.Select(d => (string?)d.Document["id"]).Distinct().Count());
        Assert.True((double)outer["start_time"]! <= (double)found["start_time"]! && (double)failed["end_time"]! <= (double)outer["end_time"]!);

        Assert.Null(found["error"]);
        Assert.True((bool)failed["error"]!);
        Assert.False((bool)failed["fault"]!);
        Assert.False((bool)failed["throttle"]!);
        Assert.Equal(400, (int)failed["http"]!["response"]!["status"]!);
        var exception = (JsonObject)failed["cause"]!["exceptions"]![0]!;
        Assert.Equal(nameof(ResourceNotFoundException), (string?)exception["type"]);
        Assert.Matches("^[0-9a-f]{16}$", (string?)exception["id"]);
        Assert.Null(exception["message"]);
        Assert.All(received, d => Assert.DoesNotContain("vasquez", d.Text, StringComparison.OrdinalIgnoreCase));
    }

    private static LambdaBootstrap Bootstrap(FakeRuntimeApi runtime, XRayTracer tracer) =>
        new(new RuntimeApiClient(runtime.HostAndPort), new TestEnvironment(new() { [LambdaEnvironmentVariables.FunctionName] = "api" }), TimeProvider.System, tracer: tracer);

    private static QueuedInvocation Invocation(string id, string? traceId) =>
        new(id, Encoding.UTF8.GetBytes("{}"), traceId, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds(), "arn:aws:lambda:us-east-1:123456789012:function:api");

    private static Dictionary<string, AttributeValue> Item(string id) => new()
    {
        ["PK"] = new AttributeValue { S = "TRACE#" + id },
        ["SK"] = new AttributeValue { S = "ITEM" },
    };

    public async ValueTask DisposeAsync()
    {
        await dynamo.Client.DeleteTableAsync(_table, CancellationToken.None);
        _client.Dispose();
        _daemon.Dispose();
    }
}
