using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serverless.Api.Tests.Support;
using Serverless.Data;
using Serverless.Data.Items;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests.Problems;

/// <summary>
/// A DynamoDB endpoint that refuses every call with an error whose message quotes an item key with an email in it and
/// an attribute value, as service and SDK messages can: the API answers an opaque 500 and logs the failure by type and
/// code, never the message.
/// </summary>
public sealed class KeyQuotingTableFixture(DynamoDbLocalFixture dynamoDb) : ApiFixture(dynamoDb)
{
    public const string Email = "zed.quoted@example.com";

    public const string Name = "Zed Quoted";

    private WebApplication? _table;

    public override async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _table = builder.Build();
        _table.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "application/x-amz-json-1.0";
            context.Response.Headers["x-amzn-ErrorType"] = "ValidationException";
            return context.Response.WriteAsync(
                "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ValidationException\",\"message\":\"Condition on key EMAIL#"
                + Email + " failed with {\\\"S\\\":\\\"" + Name + "\\\"}\"}");
        });
        await _table.StartAsync(TestContext.Current.CancellationToken);
        await base.InitializeAsync();
    }

    protected override void Configure(WebApplicationBuilder builder)
    {
        var address = _table!.Urls.First();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["DynamoDb:ServiceUrl"] = address });
        Logs.MinimumLevel = LogLevel.Debug;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_table is not null)
        {
            await _table.DisposeAsync();
        }
    }
}

public sealed class LoggedErrorsTests(KeyQuotingTableFixture api) : IClassFixture<KeyQuotingTableFixture>
{
    [Fact]
    public async Task A_failure_whose_message_quotes_a_key_with_an_email_is_logged_by_type_and_code_only()
    {
        var before = api.Logs.Entries.Count;

        using var response = await api.SendAsync(HttpMethod.Get, $"/users/{Guid.NewGuid()}", token: ApiFixture.AllScopes);

        var problem = await response.AssertProblemAsync(HttpStatusCode.InternalServerError);
        Assert.DoesNotContain(KeyQuotingTableFixture.Email, problem.ToString(), StringComparison.Ordinal);
        var logged = string.Join('\n', api.Logs.Entries.Skip(before));
        Assert.Contains("AmazonDynamoDBException (code ValidationException, HTTP 400)", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyQuotingTableFixture.Email, logged, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(KeyQuotingTableFixture.Name, logged, StringComparison.Ordinal);
        Assert.DoesNotContain("EMAIL#", logged, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_are_described_without_their_messages_unless_the_message_is_ours_and_carries_no_value()
    {
        const string Quoting = "key EMAIL#zed@example.com";
        Assert.Equal("System.InvalidOperationException", ErrorLog.Describe(new InvalidOperationException(Quoting)));
        Assert.Equal(
            "AmazonDynamoDBException (code ValidationException, HTTP 400)",
            ErrorLog.Describe(new AmazonDynamoDBException(Quoting) { ErrorCode = "ValidationException", StatusCode = HttpStatusCode.BadRequest }));
        Assert.Equal(
            "TransactionCanceledException (code TransactionCanceledException, HTTP 400)",
            ErrorLog.Describe(new TransactionCanceledException(Quoting) { ErrorCode = "TransactionCanceledException", StatusCode = HttpStatusCode.BadRequest }));
        Assert.Equal(
            "System.AggregateException, from System.FormatException",
            ErrorLog.Describe(new AggregateException(Quoting, new FormatException(Quoting))));
        Assert.Equal(
            "ValidationException on email, name",
            ErrorLog.Describe(new Domain.ValidationException([new("email", "bad"), new("name", "bad")])));
        Assert.Equal("InvalidItemException: an item", ErrorLog.Describe(new InvalidItemException("an item")));
    }

    [Fact]
    public void A_stored_item_that_cannot_be_read_is_described_by_its_type_not_its_key()
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["PK"] = new() { S = "EMAIL#zed@example.com" },
            ["SK"] = new() { S = "EMAIL" },
            ["entityType"] = new() { S = "EmailMarker" },
        };

        var error = Assert.Throws<InvalidItemException>(() => new ItemReader(item).String("userId"));

        Assert.DoesNotContain("zed@example.com", error.Message, StringComparison.Ordinal);
        Assert.Contains("of type EmailMarker", error.Message, StringComparison.Ordinal);
    }
}
