using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Serverless.Data.Client;
using Serverless.Data.Table;
using Serverless.Testing;

namespace Serverless.Data.Tests.Client;

/// <summary>
/// Every call of a client from <see cref="DynamoDbClients"/> reports its latency per operation and index, the capacity
/// it consumed (to the meter and to the request's <see cref="ConsumedCapacityScope"/>), its throttled attempts, and,
/// past the threshold, one slow-operation record holding the shape of the call and never a value.
/// </summary>
public sealed class DynamoDbTelemetryTests(DynamoDbLocalFixture dynamo) : IDisposable
{
    private const string Secret = "c4rmody.quillon@example.org";
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly MeasurementLog _measurements = new();

    [Fact]
    public async Task Each_call_reports_latency_per_operation_and_index_and_the_capacity_it_consumed_to_the_scope()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        using var client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString());
        using var scope = ConsumedCapacityScope.Begin();
        using (_measurements.Listen())
        {
            await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = Item("a") }, _ct);
            await client.GetItemAsync(new GetItemRequest { TableName = table.Name, Key = Key("a"), ConsistentRead = true }, _ct);
            await client.QueryAsync(
                new QueryRequest
                {
                    TableName = table.Name,
                    IndexName = IndexNames.Email,
                    KeyConditionExpression = "#k = :k",
                    ExpressionAttributeNames = new() { ["#k"] = Attr.EmailKey },
                    ExpressionAttributeValues = new() { [":k"] = new AttributeValue { S = "token-a" } },
                },
                _ct);
        }

        Assert.Equal(3, scope.Calls);
        Assert.True(scope.WriteCapacityUnits >= 1, $"write units {scope.WriteCapacityUnits}");
        Assert.True(scope.ReadCapacityUnits >= 1, $"read units {scope.ReadCapacityUnits}");
        Assert.Equal(
            ["GetItem/table", "PutItem/table", "Query/EmailIndex"],
            _measurements.Of(DynamoDbTelemetry.LatencyMetric).Select(m => m.Operation + "/" + m.Index).Order(StringComparer.Ordinal));
        Assert.Contains(_measurements.Of(DynamoDbTelemetry.WriteCapacityMetric), m => m.Operation == "PutItem" && m.Value >= 1);
        Assert.Contains(_measurements.Of(DynamoDbTelemetry.ReadCapacityMetric), m => m.Operation == "GetItem" && m.Value > 0);
        Assert.Empty(_measurements.Of(DynamoDbTelemetry.ThrottlesMetric));
    }

    [Fact]
    public async Task Scopes_nest_and_a_call_counts_in_every_enclosing_scope_only()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        using var client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString());
        using var outer = ConsumedCapacityScope.Begin();
        await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = Item("outer") }, _ct);
        ConsumedCapacityScope inner;
        using (inner = ConsumedCapacityScope.Begin())
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(i => client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = Item("inner" + i) }, _ct)));
        }

        await client.GetItemAsync(new GetItemRequest { TableName = table.Name, Key = Key("outer") }, _ct);
        Assert.Equal(4, inner.Calls);
        Assert.Equal(6, outer.Calls);
        Assert.Same(outer, ConsumedCapacityScope.Current);
        Assert.True(outer.WriteCapacityUnits >= inner.WriteCapacityUnits + 1);
    }

    [Fact]
    public async Task A_call_slower_than_the_threshold_logs_its_shape_once_and_no_value()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var slow = new ConcurrentQueue<DynamoDbOperation>();
        var network = new FaultyNetwork { Delay = TimeSpan.FromMilliseconds(150) };
        using var client = DynamoDbClients.Create(
            dynamo.ServiceUrl.ToString(), configure: c => c.HttpClientFactory = network, telemetry: new DynamoDbTelemetry(TimeSpan.FromMilliseconds(100), slow.Enqueue));

        await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = Item(Secret) }, _ct);
        var query = new QueryRequest
        {
            TableName = table.Name,
            KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :sk)",
            FilterExpression = "#email = :email",
            ExpressionAttributeNames = new() { ["#pk"] = Attr.PK, ["#sk"] = Attr.SK, ["#email"] = Attr.Email },
            ExpressionAttributeValues = new()
            {
                [":pk"] = new AttributeValue { S = "TELEMETRY#" + Secret },
                [":sk"] = new AttributeValue { S = "IT" },
                [":email"] = new AttributeValue { S = Secret },
            },
        };
        var found = await client.QueryAsync(query, _ct);

        Assert.Equal(2, slow.Count);
        var put = slow.First();
        Assert.Equal(("PutItem", "table", "PK,SK"), (put.Operation, put.Index, put.KeyShape));
        var logged = slow.Last();
        Assert.Equal("Query", logged.Operation);
        Assert.Equal($"{Attr.PK} = :pk AND begins_with({Attr.SK}, :sk)", logged.KeyCondition);
        Assert.Equal($"{Attr.Email} = :email", logged.Filter);
        Assert.Equal((1, 1, 1), (found.Count, logged.ItemsReturned, logged.ItemsScanned));
        Assert.Equal(1, logged.Pages);
        Assert.True(logged.ReadCapacity > 0);
        Assert.True(logged.Duration >= TimeSpan.FromMilliseconds(100));
        Assert.All(slow, o => Assert.DoesNotContain("quillon", o.ToString(), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_call_within_the_threshold_logs_nothing()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var slow = new ConcurrentQueue<DynamoDbOperation>();
        using var client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString(), telemetry: new DynamoDbTelemetry(TimeSpan.FromSeconds(30), slow.Enqueue));
        await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = Item("fast") }, _ct);
        await client.GetItemAsync(new GetItemRequest { TableName = table.Name, Key = Key("fast") }, _ct);
        Assert.Empty(slow);
    }

    [Fact]
    public async Task Throttled_attempts_are_counted_though_the_retries_hide_them_from_the_caller()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var network = new FaultyNetwork { Throttle = 2 };
        using var client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString(), configure: c => c.HttpClientFactory = network);
        using (_measurements.Listen())
        {
            await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = Item("throttled") }, _ct);
        }

        var stored = await table.Client.GetItemAsync(new GetItemRequest { TableName = table.Name, Key = Key("throttled"), ConsistentRead = true }, _ct);
        Assert.True(stored.IsItemSet);
        Assert.Equal(2, _measurements.Of(DynamoDbTelemetry.ThrottlesMetric).Where(m => m.Operation == "PutItem").Sum(m => m.Value));
        Assert.Equal(2, _measurements.Of(DynamoDbTelemetry.ThrottlesMetric).Where(m => m.Operation is null).Sum(m => m.Value));
        Assert.Single(_measurements.Of(DynamoDbTelemetry.LatencyMetric));
    }

    [Fact]
    public async Task A_binary_value_sent_in_several_requests_arrives_whole_in_each()
    {
        // The SDK sends a stream that hides its buffer by reading it from its position, and leaves it at its end: a
        // ciphertext copied onto several items (the denormalization's orders) must still arrive whole in each.
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        using var client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString());
        var bytes = Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i * 7)).ToArray();
        bytes[0] = 0xC5;
        var shared = new AttributeValue { B = new MemoryStream(bytes) };
        await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = new(Key("bin0")) { ["blob"] = shared } }, _ct);

        // As the SDK leaves a stream it has sent (position at the end), then sent again, in turn and at once. Its size
        // is one no pooled buffer has had, so a send that read nothing could not borrow the bytes from a previous one.
        var large = Enumerable.Range(0, 300_001).Select(i => (byte)(i % 251)).ToArray();
        var spent = new AttributeValue { B = new MemoryStream(large) };
        spent.B.Seek(0, SeekOrigin.End);
        await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = new(Key("large")) { ["blob"] = spent } }, _ct);
        var storedLarge = await table.Client.GetItemAsync(new GetItemRequest { TableName = table.Name, Key = Key("large"), ConsistentRead = true }, _ct);
        Assert.True(large.AsSpan().SequenceEqual(storedLarge.Item["blob"].B.ToArray()), "the value read to its end arrived other than it was");
        await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = new(Key("bin1")) { ["blob"] = shared } }, _ct);
        // Sent at once by many requests while other threads look at it (the denormalization checks a value is a
        // ciphertext as it copies it onto orders in parallel).
        using var looking = new CancellationTokenSource();
        var lookers = Enumerable.Range(0, 4).Select(looker => Task.Run(() =>
        {
            while (!looking.IsCancellationRequested)
            {
                _ = Serverless.Data.Privacy.FieldCipher.IsCiphertext(shared);
            }
        })).ToList();
        await Task.WhenAll(Enumerable.Range(2, 40).Select(n => Task.Run(() =>
            client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = new(Key("bin" + n)) { ["blob"] = shared } }, _ct))));
        await looking.CancelAsync();
        await Task.WhenAll(lookers);

        for (var n = 0; n < 42; n++)
        {
            var stored = await table.Client.GetItemAsync(new GetItemRequest { TableName = table.Name, Key = Key("bin" + n), ConsistentRead = true }, _ct);
            Assert.True(bytes.AsSpan().SequenceEqual(stored.Item["blob"].B.ToArray()), $"item bin{n} holds other bytes than were sent");
        }
    }

    [Fact]
    public async Task A_batch_of_statements_reports_as_BatchExecuteStatement_and_asks_for_its_capacity()
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        using var client = DynamoDbClients.Create(dynamo.ServiceUrl.ToString());
        await client.PutItemAsync(new PutItemRequest { TableName = table.Name, Item = Item("a") }, _ct);
        var request = new BatchExecuteStatementRequest
        {
            Statements =
            [
                new BatchStatementRequest
                {
                    Statement = $"UPDATE \"{table.Name}\" SET \"{Attr.Email}\" = ? WHERE \"{Attr.PK}\" = ? AND \"{Attr.SK}\" = ?",
                    Parameters = [new AttributeValue { S = Secret }, Key("a")[Attr.PK], Key("a")[Attr.SK]],
                },
            ],
        };
        using var scope = ConsumedCapacityScope.Begin();
        BatchExecuteStatementResponse response;
        using (_measurements.Listen())
        {
            response = await client.BatchExecuteStatementAsync(request, _ct);
        }

        Assert.Null(response.Responses.Single().Error);
        Assert.Equal(Amazon.DynamoDBv2.ReturnConsumedCapacity.INDEXES, request.ReturnConsumedCapacity);
        Assert.Equal(1, scope.Calls);
        Assert.Equal(["BatchExecuteStatement/table"], _measurements.Of(DynamoDbTelemetry.LatencyMetric).Select(m => m.Operation + "/" + m.Index));
        // DynamoDB Local answers a PartiQL batch with no consumed capacity, though asked (docs/stream-events.md): when it
        // starts to, this fails and the docs are to be updated. The service's answer is counted as any write's (below).
        Assert.Null(response.ConsumedCapacity);
        Assert.Equal(0, scope.WriteCapacityUnits);
        Assert.Equal([table.Name], InstrumentedDynamoDbClient.TableNamesOf(request)!);
    }

    [Fact]
    public void The_consumed_capacity_of_a_batch_of_statements_counts_as_writes()
    {
        var response = new BatchExecuteStatementResponse { ConsumedCapacity = [new ConsumedCapacity { TableName = "t", CapacityUnits = 25 }] };

        Assert.Equal((0d, 25d), InstrumentedDynamoDbClient.CapacityOf("BatchExecuteStatement", response));
    }

    [Fact]
    public void An_index_name_outside_the_table_definition_is_never_a_dimension()
    {
        Assert.Equal(DynamoDbTelemetry.TableIndexValue, InstrumentedDynamoDbClient.IndexOf(new QueryRequest { IndexName = "someone.else_index" }));
        Assert.Equal(IndexNames.Gsi1, InstrumentedDynamoDbClient.IndexOf(new QueryRequest { IndexName = IndexNames.Gsi1 }));
        Assert.Equal("Other", InstrumentedDynamoDbClient.OperationOf(new ListTablesRequest()));
    }

    private static Dictionary<string, AttributeValue> Key(string id) => new()
    {
        [Attr.PK] = new AttributeValue { S = "TELEMETRY#" + id },
        [Attr.SK] = new AttributeValue { S = "ITEM" },
    };

    private static Dictionary<string, AttributeValue> Item(string id) => new(Key(id))
    {
        [Attr.Email] = new AttributeValue { S = id },
    };

    public void Dispose() => _measurements.Dispose();

    /// <summary>The meter's measurements made in this test's own flow (other tests measure on the same static meter at the same time).</summary>
    private sealed class MeasurementLog : IDisposable
    {
        private readonly AsyncLocal<bool> _mine = new();
        private readonly ConcurrentQueue<(string Metric, string? Operation, string? Index, double Value)> _seen = new();
        private readonly MeterListener _listener;

        public MeasurementLog()
        {
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == DynamoDbTelemetry.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Keep(i, v, t));
            _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Keep(i, v, t));
            _listener.Start();
        }

        public IDisposable Listen()
        {
            _mine.Value = true;
            return new Stop(this);
        }

        public IReadOnlyList<(string Metric, string? Operation, string? Index, double Value)> Of(string metric) =>
            [.. _seen.Where(m => m.Metric == metric)];

        private void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (!_mine.Value)
            {
                return;
            }

            string? operation = null, index = null;
            foreach (var (key, tag) in tags)
            {
                if (key == DynamoDbTelemetry.OperationDimension)
                {
                    operation = tag as string;
                }
                else if (key == DynamoDbTelemetry.IndexDimension)
                {
                    index = tag as string;
                }
            }

            _seen.Enqueue((instrument.Name, operation, index, value));
        }

        public void Dispose() => _listener.Dispose();

        private sealed class Stop(MeasurementLog log) : IDisposable
        {
            public void Dispose() => log._mine.Value = false;
        }
    }

    /// <summary>The network between the client and DynamoDB Local, slowed or answering with throttles first.</summary>
    private sealed class FaultyNetwork : HttpClientFactory
    {
        private int _throttled;

        public TimeSpan Delay { get; init; }

        public int Throttle { get; init; }

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Handler(this, new SocketsHttpHandler()));

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        private sealed class Handler(FaultyNetwork network, HttpMessageHandler inner) : DelegatingHandler(inner)
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (network.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(network.Delay, cancellationToken);
                }

                if (Interlocked.Increment(ref network._throttled) <= network.Throttle)
                {
                    return new HttpResponseMessage(HttpStatusCode.BadRequest)
                    {
                        Content = new StringContent(
                            """{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}""",
                            Encoding.UTF8,
                            "application/x-amz-json-1.0"),
                    };
                }

                return await base.SendAsync(request, cancellationToken);
            }
        }
    }
}
