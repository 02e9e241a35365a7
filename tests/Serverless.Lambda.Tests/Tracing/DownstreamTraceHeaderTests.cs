using System.Collections.Concurrent;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Serverless.Data.Client;
using Serverless.Lambda.Runtime;
using Serverless.Lambda.Tests.Runtime;
using Serverless.Testing;

namespace Serverless.Lambda.Tests.Tracing;

/// <summary>
/// The AWS SDK sends <c>X-Amzn-Trace-Id</c> from <c>_X_AMZN_TRACE_ID</c>, read at each request, when it runs in Lambda
/// (<c>AWS_LAMBDA_FUNCTION_NAME</c> set when it first marshals a request, see <see cref="LambdaProcess"/>) and the
/// request has none yet, so DynamoDB sees each call under the invocation that made it. The bootstrap sets the variable
/// per invocation; this test runs it on the process's own environment, as on Lambda, and reads the header off the wire.
/// </summary>
[Collection(DynamoDbLocalCollection.Name)]
public sealed class DownstreamTraceHeaderTests(DynamoDbLocalFixture dynamo) : IDisposable
{
    private const string First = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    private const string Second = "Root=1-5759e989-0123456789abcdef01234567;Parent=0a1b2c3d4e5f6071;Sampled=0";

    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly string? _traceId = Environment.GetEnvironmentVariable(LambdaEnvironmentVariables.TraceId);

    [Fact]
    public async Task A_call_carries_its_invocations_trace_header_and_a_call_of_the_next_invocation_the_next_one()
    {
        Assert.False(string.IsNullOrEmpty(Environment.GetEnvironmentVariable(LambdaEnvironmentVariables.FunctionName)));
        var wire = new TraceHeaderRecorder();
        using var client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString(), configure: c => c.HttpClientFactory = wire);
        await using var runtime = await FakeRuntimeApi.StartAsync(_ct);
        var bootstrap = new LambdaBootstrap(new RuntimeApiClient(runtime.HostAndPort), ProcessEnvironment.Instance, TimeProvider.System);
        var function = LambdaFunction.Create(async (_, _, ct) =>
        {
            await CallAsync(client, ct);
            return "{}"u8.ToArray();
        });

        runtime.Enqueue(Invocation("first", First));
        await bootstrap.ProcessNextInvocationAsync(function, _ct);
        runtime.Enqueue(Invocation("second", Second));
        await bootstrap.ProcessNextInvocationAsync(function, _ct);
        runtime.Enqueue(Invocation("untraced", null));
        await bootstrap.ProcessNextInvocationAsync(function, _ct);
        await runtime.TakePostsAsync(3, _ct);

        Assert.Equal([First, Second, null], wire.Headers);
    }

    private static async Task CallAsync(IAmazonDynamoDB client, CancellationToken cancellationToken)
    {
        // Any call does; a missing table answers at once and needs no setup.
        try
        {
            await client.DescribeTableAsync("trace-header-" + Guid.NewGuid().ToString("N"), cancellationToken);
        }
        catch (ResourceNotFoundException)
        {
        }
    }

    private static QueuedInvocation Invocation(string id, string? traceId) =>
        new(id, Encoding.UTF8.GetBytes("{}"), traceId, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds(), null);

    public void Dispose() => Environment.SetEnvironmentVariable(LambdaEnvironmentVariables.TraceId, _traceId);

    /// <summary>The <c>X-Amzn-Trace-Id</c> of every request the client sends (null where it sends none), in order.</summary>
    private sealed class TraceHeaderRecorder : HttpClientFactory
    {
        private readonly ConcurrentQueue<string?> _headers = new();

        public IReadOnlyList<string?> Headers => [.. _headers];

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(_headers, new SocketsHttpHandler()));

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        private sealed class Handler(ConcurrentQueue<string?> headers, HttpMessageHandler inner) : DelegatingHandler(inner)
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                headers.Enqueue(request.Headers.TryGetValues("X-Amzn-Trace-Id", out var values) ? string.Join(",", values) : null);
                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
