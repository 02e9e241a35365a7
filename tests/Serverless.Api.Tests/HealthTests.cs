using System.Net;
using Amazon.DynamoDBv2.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Data.Table;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary><c>/health</c> is liveness (open, no DynamoDB call); <c>/health/ready</c> reports the table as DynamoDB describes it.</summary>
public sealed class HealthTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readiness_reports_the_table_its_indexes_stream_and_ttl_as_DynamoDB_describes_them()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/health/ready", token: ApiFixture.Token(Scopes.Read));
        var body = await response.ReadJsonAsync(HttpStatusCode.OK);
        var described = (await api.DynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = api.TableName }, _ct)).Table;

        Assert.Equal("ready", body.GetProperty("status").GetString());
        var table = body.GetProperty("table");
        Assert.Equal("ACTIVE", table.GetProperty("status").GetString());
        Assert.Equal(described.ItemCount, table.GetProperty("itemCount").GetInt64());
        Assert.Equal(described.TableSizeBytes, table.GetProperty("sizeBytes").GetInt64());
        var indexes = body.GetProperty("indexes").EnumerateArray().ToList();
        Assert.Equal(
            described.GlobalSecondaryIndexes.Select(i => i.IndexName).Order(StringComparer.Ordinal),
            indexes.Select(i => i.GetProperty("name").GetString()));
        Assert.All(indexes, i => Assert.Equal("ACTIVE", i.GetProperty("status").GetString()));
        Assert.True(body.GetProperty("stream").GetProperty("enabled").GetBoolean());
        Assert.Equal("NEW_AND_OLD_IMAGES", body.GetProperty("stream").GetProperty("viewType").GetString());
        Assert.Equal("ENABLED", body.GetProperty("timeToLive").GetProperty("status").GetString());
        Assert.Equal(TableDefinition.TtlAttribute, body.GetProperty("timeToLive").GetProperty("attribute").GetString());
        Assert.Contains("six hours", body.GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_is_described_once_per_period_not_per_request()
    {
        var first = await ReadyAsync();
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ReadyAsync()));
        Assert.All(answers, a => Assert.Equal(first, a));
    }

    [Fact]
    public async Task Readiness_is_for_service_callers_only()
    {
        using var anonymous = await api.SendAsync(HttpMethod.Get, "/health/ready");
        await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized);
        using var endUser = await api.SendAsync(HttpMethod.Get, "/health/ready", token: ApiFixture.Token(Scopes.SelfRead));
        await endUser.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    private async Task<string> ReadyAsync()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/health/ready", token: ApiFixture.Token(Scopes.Read));
        return (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("describedAt").GetString()!;
    }
}

/// <summary>With DynamoDB unreachable, liveness still answers (it makes no call) and readiness says it is not ready.</summary>
public sealed class HealthWithoutTableTests(HealthWithoutTableTests.UnreachableTableFixture api) : IClassFixture<HealthWithoutTableTests.UnreachableTableFixture>
{
    [Fact]
    public async Task Liveness_answers_and_readiness_is_a_503_naming_no_request_value()
    {
        using var live = await api.SendAsync(HttpMethod.Get, "/health");
        Assert.Equal("ok", (await live.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString());

        using var ready = await api.SendAsync(HttpMethod.Get, "/health/ready", token: ApiFixture.Token(Scopes.Read));
        var problem = await ready.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Not ready", problem.GetProperty("title").GetString());
        Assert.StartsWith("The table could not be described", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The API pointed at a loopback port nothing listens on.</summary>
    public sealed class UnreachableTableFixture(DynamoDbLocalFixture dynamoDb) : ApiFixture(dynamoDb)
    {
        protected override void Configure(WebApplicationBuilder builder)
        {
            ArgumentNullException.ThrowIfNull(builder);
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["DynamoDb:ServiceUrl"] = $"http://127.0.0.1:{port}/",
            });
        }
    }
}
