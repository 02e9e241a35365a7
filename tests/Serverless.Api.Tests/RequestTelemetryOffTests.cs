using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serverless.Api.Infrastructure.Http;
using Serverless.Api.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>The app with <c>Api:RequestTelemetry</c> off (the telemetry benchmark's baseline), logging down to Information.</summary>
public sealed class RequestTelemetryOffFixture(DynamoDbLocalFixture dynamoDb) : ApiFixture(dynamoDb)
{
    protected override void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Logs.MinimumLevel = LogLevel.Information;
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Api:RequestTelemetry"] = "false" });
    }
}

/// <summary>
/// What the switch turns off: the middleware that writes the access line, records the request metrics (the same call)
/// and sets the correlation id; the request is answered as with it on. (The metrics are not checked by listening: every
/// host of the test process records on the same meter.)
/// </summary>
public sealed class RequestTelemetryOffTests(RequestTelemetryOffFixture api) : IClassFixture<RequestTelemetryOffFixture>
{
    [Fact]
    public async Task With_request_telemetry_off_a_request_is_answered_with_no_access_line_and_no_correlation_id()
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/products?limit=1", token: ApiFixture.AllScopes);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains(RequestTelemetryMiddleware.CorrelationHeader));
        Assert.DoesNotContain(api.Logs.Entries, e => e.Contains(typeof(RequestTelemetryMiddleware).FullName!, StringComparison.Ordinal));
    }
}
