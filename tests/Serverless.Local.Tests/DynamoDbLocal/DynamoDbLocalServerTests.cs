using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Serverless.DynamoDbLocal;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.DynamoDbLocal;

public sealed class DynamoDbLocalServerTests(DynamoDbLocalFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_table_made_by_one_client_is_seen_by_a_client_with_other_credentials()
    {
        var table = "shared-" + Guid.NewGuid().ToString("N");
        await fixture.Client.CreateTableAsync(
            new CreateTableRequest
            {
                TableName = table,
                KeySchema = [new KeySchemaElement("PK", KeyType.HASH)],
                AttributeDefinitions = [new AttributeDefinition("PK", ScalarAttributeType.S)],
                BillingMode = BillingMode.PAY_PER_REQUEST,
            },
            Ct);

        // -sharedDb: without it DynamoDB Local keeps one database per access key and region.
        // (DynamoDB Local accepts access key ids of letters and digits only.)
        using var other = new AmazonDynamoDBClient(
            new BasicAWSCredentials("someoneElse", "secret"),
            new AmazonDynamoDBConfig { ServiceURL = fixture.ServiceUrl.ToString(), AuthenticationRegion = "eu-west-1" });
        var described = await other.DescribeTableAsync(table, Ct);

        Assert.Equal(table, described.Table.TableName);
    }

    [Fact]
    public async Task A_started_server_answers_on_its_own_port_and_is_gone_after_dispose()
    {
        var server = await DynamoDbLocalServer.StartAsync(ct: Ct);
        Assert.True(server.Owned);
        Assert.NotEqual(fixture.ServiceUrl.Port, server.ServiceUrl.Port);
        using (var client = server.CreateClient())
        {
            var tables = await client.ListTablesAsync(new ListTablesRequest(), Ct);
            Assert.Empty(tables.TableNames ?? []);
        }

        await server.DisposeAsync();

        using var tcp = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => tcp.ConnectAsync(server.ServiceUrl.Host, server.ServiceUrl.Port, Ct).AsTask());
    }
}

/// <summary>These tests change process-wide environment variables, so they run alone.</summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class EnvironmentChangingTests;

[Collection(typeof(EnvironmentChangingTests))]
public sealed class DynamoDbLocalEnvironmentTests(DynamoDbLocalFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DYNAMODB_ENDPOINT_is_used_as_is_and_nothing_is_started_or_stopped()
    {
        using var _ = new EnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, fixture.ServiceUrl.ToString());

        var server = await DynamoDbLocalServer.StartAsync(ct: Ct);
        Assert.False(server.Owned);
        Assert.Equal(fixture.ServiceUrl, server.ServiceUrl);
        await server.DisposeAsync();

        // Disposing a borrowed endpoint must leave it running.
        await fixture.Client.ListTablesAsync(new ListTablesRequest(), Ct);
    }

    [Fact]
    public async Task A_DYNAMODB_ENDPOINT_that_is_not_a_url_is_a_clear_error()
    {
        using var _ = new EnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, "not a url");

        var error = await Assert.ThrowsAsync<DynamoDbLocalException>(() => DynamoDbLocalServer.StartAsync(ct: Ct));

        Assert.Contains("DYNAMODB_ENDPOINT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_java_is_named_in_one_clear_error()
    {
        var emptyDir = Directory.CreateTempSubdirectory().FullName;
        using var endpoint = new EnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, null);
        using var path = new EnvironmentVariable("PATH", emptyDir);

        var error = await Assert.ThrowsAsync<DynamoDbLocalException>(() => DynamoDbLocalServer.StartAsync(ct: Ct));

        Assert.Contains("'java'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Install", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
