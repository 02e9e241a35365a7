using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Serverless.Data.Client;
using Serverless.Data.Table;
using Serverless.Testing;

namespace Serverless.Data.Tests.Client;

/// <summary>
/// Every call of a client from <see cref="DynamoDbClients"/>, against DynamoDB Local, is a span <c>DynamoDB.&lt;Operation&gt;</c>
/// tagged with the operation, the table, the index, the retries, the consumed capacity and, when it fails, the error's
/// type; never with a key, an item value or an expression value.
/// </summary>
public sealed class DynamoDbSpanTests(DynamoDbLocalFixture dynamo) : IDisposable
{
    private const string Secret = "marisol.okonkwo-spans@example.org";
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly SpanLog _spans = new();

    [Fact]
    public async Task Each_call_is_a_span_with_its_operation_table_index_retries_and_capacity()
    {
        await using var table = await TestTable.CreateAsync(dynamo, withStream: false, _ct);
        using var client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString());
        using (_spans.Listen())
        {
            await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = new(Item(Secret)) { [Attr.EmailKey] = new AttributeValue { S = Secret } } }, _ct);
            await client.QueryAsync(
                new QueryRequest
                {
                    TableName = table.Name,
                    IndexName = IndexNames.Email,
                    KeyConditionExpression = "#k = :k",
                    ExpressionAttributeNames = new() { ["#k"] = Attr.EmailKey },
                    ExpressionAttributeValues = new() { [":k"] = new AttributeValue { S = Secret } },
                },
                _ct);
        }

        Assert.Equal(["DynamoDB.PutItem", "DynamoDB.Query"], _spans.Stopped.Select(s => s.DisplayName));
        var (put, query) = (_spans.Stopped[0], _spans.Stopped[1]);
        Assert.All(_spans.Stopped, span =>
        {
            Assert.Equal(ActivityKind.Client, span.Kind);
            Assert.Equal("aws-api", span.GetTagItem(AwsSpanTags.System));
            Assert.Equal("DynamoDB", span.GetTagItem(AwsSpanTags.Service));
            Assert.Equal([table.Name], (string[])span.GetTagItem(AwsSpanTags.TableNames)!);
            Assert.Equal(0, span.GetTagItem(AwsSpanTags.Retries));
            Assert.Equal(200, span.GetTagItem(AwsSpanTags.StatusCode));
            Assert.Null(span.GetTagItem(AwsSpanTags.ErrorType));
        });
        Assert.Equal("PutItem", put.GetTagItem(AwsSpanTags.Method));
        Assert.Null(put.GetTagItem(AwsSpanTags.IndexName));
        Assert.True((double)put.GetTagItem(AwsSpanTags.ConsumedWriteCapacity)! >= 1);
        Assert.Equal("Query", query.GetTagItem(AwsSpanTags.Method));
        Assert.Equal(IndexNames.Email, query.GetTagItem(AwsSpanTags.IndexName));
        Assert.True((double)query.GetTagItem(AwsSpanTags.ConsumedReadCapacity)! > 0);
        AssertNoValue();
    }

    [Fact]
    public async Task A_call_that_succeeds_after_throttles_carries_its_retries()
    {
        await using var table = await TestTable.CreateAsync(dynamo, withStream: false, _ct);
        using var client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString(), configure: c => c.HttpClientFactory = new ThrottlingNetwork(2));
        using (_spans.Listen())
        {
            await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = Item(Secret) }, _ct);
        }

        var span = Assert.Single(_spans.Stopped);
        Assert.Equal(2, span.GetTagItem(AwsSpanTags.Retries));
        Assert.Null(span.GetTagItem(AwsSpanTags.ErrorType));
    }

    [Fact]
    public async Task A_failed_call_carries_the_error_type_and_status_and_no_message()
    {
        using var client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString());
        var missing = "missing-" + Guid.NewGuid().ToString("N");
        using (_spans.Listen())
        {
            await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetItemAsync(new GetItemRequest { TableName = missing, Key = Item(Secret) }, _ct));
        }

        var span = Assert.Single(_spans.Stopped);
        Assert.Equal("DynamoDB.GetItem", span.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(nameof(ResourceNotFoundException), span.GetTagItem(AwsSpanTags.ErrorType));
        Assert.Equal(nameof(ResourceNotFoundException), span.StatusDescription);
        Assert.Equal(400, span.GetTagItem(AwsSpanTags.StatusCode));
        Assert.False(string.IsNullOrEmpty(span.GetTagItem(AwsSpanTags.RequestId) as string));
        AssertNoValue();
    }

    [Fact]
    public async Task A_transaction_names_each_of_its_tables_once()
    {
        await using var table = await TestTable.CreateAsync(dynamo, withStream: false, _ct);
        using var client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString());
        using (_spans.Listen())
        {
            await client.TransactWriteItemsAsync(
                new TransactWriteItemsRequest
                {
                    TransactItems =
                    [
                        new TransactWriteItem { Put = new Put { TableName = table.Name, Item = Item("tx-a") } },
                        new TransactWriteItem { Put = new Put { TableName = table.Name, Item = Item("tx-b") } },
                    ],
                },
                _ct);
        }

        var span = Assert.Single(_spans.Stopped);
        Assert.Equal("DynamoDB.TransactWriteItems", span.DisplayName);
        Assert.Equal([table.Name], (string[])span.GetTagItem(AwsSpanTags.TableNames)!);
    }

    [Fact]
    public async Task No_span_is_made_while_no_listener_samples()
    {
        await using var table = await TestTable.CreateAsync(dynamo, withStream: false, _ct);
        using var client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString());
        // The log listens to the source on this flow, but samples nothing here: no span may start, not even unrecorded.
        using (_spans.Watch())
        {
            await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = Item("unsampled") }, _ct);
        }

        Assert.Empty(_spans.Stopped);
        Assert.Equal(0, _spans.UnsampledStarts);

        // The same call sampled does start one: the count above could have seen it.
        using (_spans.Watch())
        using (_spans.Listen())
        {
            await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = Item("sampled") }, _ct);
        }

        Assert.Single(_spans.Stopped);
        Assert.Equal(1, _spans.Starts);
    }

    private void AssertNoValue()
    {
        var written = _spans.Stopped.SelectMany(s => s.TagObjects.Select(t => t.Value switch
        {
            string[] many => string.Join(",", many),
            var one => Convert.ToString(one, CultureInfo.InvariantCulture) ?? "",
        })).Concat(_spans.Stopped.Select(s => s.DisplayName + " " + s.StatusDescription)).ToList();
        Assert.NotEmpty(written);
        Assert.All(written, text => Assert.DoesNotContain("okonkwo", text, StringComparison.OrdinalIgnoreCase));
    }

    private static Dictionary<string, AttributeValue> Item(string id) => new()
    {
        [Attr.PK] = new AttributeValue { S = "SPANS#" + id },
        [Attr.SK] = new AttributeValue { S = "ITEM" },
    };

    public void Dispose() => _spans.Dispose();

    /// <summary>The data layer's spans made on this test's flow (other tests call DynamoDB at the same time).</summary>
    private sealed class SpanLog : IDisposable
    {
        private readonly AsyncLocal<bool> _mine = new();
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private int _unsampledStarts;

        public SpanLog()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == DataDiagnostics.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => _mine.Value ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
                ActivityStarted = activity =>
                {
                    if (_watching.Value)
                    {
                        Interlocked.Increment(ref _starts);
                        if (!activity.Recorded)
                        {
                            Interlocked.Increment(ref _unsampledStarts);
                        }
                    }
                },
                ActivityStopped = activity =>
                {
                    if (_mine.Value)
                    {
                        _stopped.Enqueue(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        private readonly AsyncLocal<bool> _watching = new();
        private int _starts;

        public IReadOnlyList<Activity> Stopped => [.. _stopped];

        /// <summary>Spans started on a watched flow, and those of them not recorded.</summary>
        public int Starts => Volatile.Read(ref _starts);

        public int UnsampledStarts => Volatile.Read(ref _unsampledStarts);

        /// <summary>Counts the spans started on this flow, sampled or not.</summary>
        public IDisposable Watch()
        {
            _watching.Value = true;
            return new Unwatch(this);
        }

        private sealed class Unwatch(SpanLog owner) : IDisposable
        {
            public void Dispose() => owner._watching.Value = false;
        }

        public IDisposable Listen()
        {
            _mine.Value = true;
            return new Stop(this);
        }

        public void Dispose() => _listener.Dispose();

        private sealed class Stop(SpanLog owner) : IDisposable
        {
            public void Dispose() => owner._mine.Value = false;
        }
    }

    /// <summary>DynamoDB Local behind a network that answers the first attempts with a throttle.</summary>
    private sealed class ThrottlingNetwork(int throttles) : HttpClientFactory
    {
        private readonly int _throttles = throttles;
        private int _attempts;

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(this, new SocketsHttpHandler()));

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        private sealed class Handler(ThrottlingNetwork network, HttpMessageHandler inner) : DelegatingHandler(inner)
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                Interlocked.Increment(ref network._attempts) <= network._throttles
                    ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadRequest)
                    {
                        Content = new StringContent(
                            """{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"Throughput exceeded."}""",
                            Encoding.UTF8,
                            "application/x-amz-json-1.0"),
                    })
                    : base.SendAsync(request, cancellationToken);
        }
    }
}
