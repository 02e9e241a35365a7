using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Serverless.Data.Client.Faults;
using Serverless.Data.Table;
using Serverless.DynamoDbLocal;
using Serverless.Testing;

namespace Serverless.Data.Tests.Client.Faults;

/// <summary>
/// Each fault class is what the SDK sees as that failure: a real SDK client, pointed at DynamoDB Local (or moto's KMS)
/// with the handler in its pipeline and its own retries off, throws the exception the real failure throws.
/// </summary>
public sealed class FaultInjectingHandlerTests(DynamoDbLocalFixture dynamo, MotoKmsFixture kms) : IAsyncLifetime
{
    private const string PutItem = "DynamoDB_20120810.PutItem";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private TestTable _table = null!;

    public async ValueTask InitializeAsync() => _table = await TestTable.CreateAsync(dynamo, withStream: false, Ct);

    public ValueTask DisposeAsync() => _table.DisposeAsync();

    [Fact]
    public async Task A_throughput_fault_is_DynamoDBs_ProvisionedThroughputExceededException_and_nothing_is_written()
    {
        var (client, counters) = Faulted(FaultClass.ProvisionedThroughputExceeded);
        using (client)
        {
            var e = await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => PutAsync(client, "a"));
            Assert.Equal("ProvisionedThroughputExceededException", e.ErrorCode);
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, e.StatusCode);
        }

        Assert.Equal(1, counters.Injected(FaultClass.ProvisionedThroughputExceeded));
        Assert.Null(await StoredAsync("a"));
    }

    [Fact]
    public async Task A_throttling_fault_is_a_ThrottlingException_and_nothing_is_written()
    {
        var (client, counters) = Faulted(FaultClass.Throttling);
        using (client)
        {
            var e = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => PutAsync(client, "a"));
            Assert.Equal("ThrottlingException", e.ErrorCode);
        }

        Assert.Equal(1, counters.Injected(FaultClass.Throttling));
        Assert.Null(await StoredAsync("a"));
    }

    [Fact]
    public async Task A_500_fault_is_DynamoDBs_InternalServerErrorException_and_nothing_is_written()
    {
        var (client, counters) = Faulted(FaultClass.InternalServerError);
        using (client)
        {
            var e = await Assert.ThrowsAsync<InternalServerErrorException>(() => PutAsync(client, "a"));
            Assert.Equal(System.Net.HttpStatusCode.InternalServerError, e.StatusCode);
        }

        Assert.Equal(1, counters.Injected(FaultClass.InternalServerError));
        Assert.Null(await StoredAsync("a"));
    }

    [Fact]
    public async Task A_timeout_fault_is_what_an_HttpClient_timeout_gives_the_SDK_and_nothing_is_written()
    {
        var (client, counters) = Faulted(FaultClass.Timeout);
        using (client)
        {
            // The SDK unwraps HttpClient's cancellation (the caller's token was not cancelled) to its TimeoutException.
            await Assert.ThrowsAsync<TimeoutException>(() => PutAsync(client, "a"));
        }

        Assert.Equal(1, counters.Injected(FaultClass.Timeout));
        Assert.Null(await StoredAsync("a"));
    }

    [Fact]
    public async Task A_reset_fault_is_an_IOException_around_a_socket_reset_and_nothing_is_written()
    {
        var (client, counters) = Faulted(FaultClass.ConnectionReset);
        using (client)
        {
            // The SDK unwraps the HttpRequestException to the IOException inside, as it does for a real reset.
            var e = await Assert.ThrowsAsync<IOException>(() => PutAsync(client, "a"));
            Assert.Equal(SocketError.ConnectionReset, Assert.IsType<SocketException>(e.InnerException).SocketErrorCode);
        }

        // Even with its retries off the SDK sends again after an I/O error (as after a stale pooled connection): every attempt was one.
        Assert.Equal(counters.Eligible, counters.Injected(FaultClass.ConnectionReset));
        Assert.True(counters.Injected(FaultClass.ConnectionReset) > 1);
        Assert.Null(await StoredAsync("a"));
    }

    [Fact]
    public async Task An_applied_but_lost_fault_fails_as_a_reset_but_the_write_is_there()
    {
        var (client, counters) = Faulted(FaultClass.AppliedButLost);
        using (client)
        {
            var e = await Assert.ThrowsAsync<IOException>(() => PutAsync(client, "a"));
            Assert.IsType<SocketException>(e.InnerException);
        }

        // Even with its retries off the SDK sends again after an I/O error (as after a stale pooled connection): every attempt was one.
        Assert.Equal(counters.Eligible, counters.Injected(FaultClass.AppliedButLost));
        Assert.True(counters.Injected(FaultClass.AppliedButLost) > 1);
        Assert.NotNull(await StoredAsync("a"));
    }

    [Theory]
    [InlineData(FaultClass.ProvisionedThroughputExceeded)]
    [InlineData(FaultClass.Throttling)]
    [InlineData(FaultClass.InternalServerError)]
    [InlineData(FaultClass.Timeout)]
    [InlineData(FaultClass.ConnectionReset)]
    [InlineData(FaultClass.AppliedButLost)]
    public async Task The_SDK_retries_every_fault_class_itself(FaultClass fault)
    {
        const int Puts = 20;
        var (client, counters) = Faulted(fault, rate: 0.3, retries: 3);
        var succeeded = 0;
        using (client)
        {
            for (var i = 0; i < Puts; i++)
            {
                try
                {
                    await PutAsync(client, $"r{i}");
                    succeeded++;
                }
                catch (Exception e) when (e is AmazonServiceException or IOException or TimeoutException)
                {
                    // Out of retries (four faults in a row): counted below.
                }
            }
        }

        // Every injected fault was followed by another attempt (or ended a call that had used all four), so the
        // attempts are one per success plus one per fault, and more than one per call.
        var seen = $"{succeeded} of {Puts} succeeded, {counters.Injected(fault)} faults in {counters.Eligible} attempts";
        Assert.True(counters.Injected(fault) > 0, seen);
        Assert.True(succeeded + counters.Injected(fault) == counters.Eligible, seen);
        Assert.True(counters.Eligible > Puts, seen);
        Assert.True((Puts - succeeded) * 4 <= counters.Injected(fault), seen);
    }

    [Fact]
    public async Task Only_the_named_operations_are_faulted()
    {
        var (client, counters) = Faulted(FaultClass.InternalServerError);
        using (client)
        {
            var read = await client.GetItemAsync(new GetItemRequest { TableName = _table.Name, Key = Key("none") }, Ct);
            Assert.False(read.IsItemSet);
        }

        Assert.Equal(0, counters.Eligible);
    }

    [Fact]
    public async Task A_KMS_client_sees_a_throttling_fault_as_KMSs_ThrottlingException()
    {
        var (client, counters) = kms.CreateFaultedClient(FaultOptions.Only(FaultClass.Throttling, 1, seed: 1, "TrentService.ListKeys"), config => config.MaxErrorRetry = 0);
        using var owned = client;

        var e = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => client.ListKeysAsync(new ListKeysRequest(), Ct));

        Assert.Equal("ThrottlingException", e.ErrorCode);
        Assert.Equal(1, counters.Injected(FaultClass.Throttling));
    }

    private Task PutAsync(IAmazonDynamoDB client, string id) =>
        client.PutItemAsync(new PutItemRequest { TableName = _table.Name, Item = Key(id) }, Ct);

    private (IAmazonDynamoDB Client, FaultCounters Counters) Faulted(FaultClass fault, double rate = 1, int retries = 0)
    {
        var config = dynamo.Server.CreateConfig();
        config.MaxErrorRetry = retries;
        var counters = FaultInjection.Attach(config, FaultOptions.Only(fault, rate, seed: 1, PutItem));
        return (new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config), counters);
    }

    private async Task<Dictionary<string, AttributeValue>?> StoredAsync(string id)
    {
        var response = await _table.Admin.GetItemAsync(new GetItemRequest { TableName = _table.Name, Key = Key(id), ConsistentRead = true }, Ct);
        return response.IsItemSet ? response.Item : null;
    }

    private static Dictionary<string, AttributeValue> Key(string id) => new() { [Attr.PK] = new AttributeValue($"FAULT#{id}"), [Attr.SK] = new AttributeValue("FAULT") };
}
