using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Serverless.Api.Infrastructure.Http;
using Serverless.Api.Tests.Support;
using Serverless.Data.Client;
using Serverless.Lambda.Metrics;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>
/// Each request: one access line with its route template, status, duration, caller and DynamoDB cost; its correlation
/// id echoed and on its log lines; on Lambda, EMF metrics per route and status class and per DynamoDB operation, within
/// the dimensions the function declares (anything else is refused, which here fails the test).
/// </summary>
public sealed class RequestTelemetryTests(RequestTelemetryTests.TelemetryFixture api) : IClassFixture<RequestTelemetryTests.TelemetryFixture>
{
    private const string Email = "telemetry.vantrell@example.org";

    [Fact]
    public async Task An_access_line_names_the_route_template_status_and_cost_and_no_path_value()
    {
        var id = await UserIdAsync();
        using var response = await api.SendAsync(HttpMethod.Get, $"/users/{id}", token: ApiFixture.AllScopes);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The line is written as the response completes, which the client can see first.
        var line = (await Eventually.UntilAsync(
            () => Task.FromResult(api.Logs.Entries.FirstOrDefault(e => e.Contains("method=GET route=/users/{id} status=200", StringComparison.Ordinal))),
            found => found is not null,
            "the access line of the read",
            TestContext.Current.CancellationToken))!;
        Assert.Contains("caller=" + ApiFixture.Subject, line, StringComparison.Ordinal);
        Assert.Matches(@"read_capacity=(0\.[1-9]|[1-9])", line);
        Assert.Contains("write_capacity=0 ", line, StringComparison.Ordinal);
        Assert.Matches(@"dynamodb_calls=[1-9]", line);
        Assert.DoesNotContain(id, line, StringComparison.Ordinal);
        Assert.All(api.Logs.Entries, e => Assert.DoesNotContain("vantrell", e, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_well_formed_correlation_id_is_echoed_and_anything_else_is_replaced_by_the_request_id()
    {
        using var given = await SendAsync("/health", "probe-7f3a.check:1");
        Assert.Equal("probe-7f3a.check:1", Assert.Single(given.Headers.GetValues(RequestTelemetryMiddleware.CorrelationHeader)));

        using var malformed = await SendAsync("/health", "not an id; " + Email);
        var echoed = Assert.Single(malformed.Headers.GetValues(RequestTelemetryMiddleware.CorrelationHeader));
        Assert.DoesNotContain("vantrell", echoed, StringComparison.Ordinal);
        Assert.DoesNotContain(" ", echoed, StringComparison.Ordinal);

        using var none = await SendAsync("/health", null);
        Assert.NotEmpty(Assert.Single(none.Headers.GetValues(RequestTelemetryMiddleware.CorrelationHeader)));
    }

    [Fact]
    public async Task On_Lambda_the_request_writes_emf_metrics_per_route_and_DynamoDB_operation_and_a_correlated_access_line()
    {
        var id = await UserIdAsync();
        using var output = new MemoryStream();
        using (var metrics = new LambdaMetrics(new LambdaMetricsOptions { Output = Serverless.Testing.Telemetry.TelemetryTap.Process.Tee(output), Service = "serverless", RefuseUnknownDimensions = true }))
        {
            metrics.Allow(((IMetricDimensionSource)api.Function).MetricDimensions);
            using (metrics.Begin("req-telemetry", coldStart: false))
            {
                var result = await api.InvokeAsync(new ApiRequest(HttpMethod.Get, $"/users/{id}", Scopes: ["data.read"]));
                Assert.Equal(200, result.Status);
            }
        }

        var documents = System.Text.Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Contains(documents, d => Has(d, RequestMetrics.LatencyMetric) && (string?)d["Route"] == "/users/{id}" && (string?)d["StatusClass"] == "2xx");
        Assert.Contains(documents, d => Has(d, RequestMetrics.RequestsMetric) && (string?)d["Route"] == "/users/{id}");
        Assert.Contains(documents, d => Has(d, RequestMetrics.ReadCapacityMetric) && (string?)d["Route"] == "/users/{id}");
        Assert.Contains(documents, d => Has(d, DynamoDbTelemetry.LatencyMetric) && (string?)d["Operation"] == "GetItem" && (string?)d["Index"] == "table");
        Assert.All(documents, d => Assert.DoesNotContain(id, d.ToJsonString(), StringComparison.Ordinal));

        var access = api.LambdaLog.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Last(l => l.TryGetProperty("route", out var route) && route.GetString() == "/users/{id}");
        Assert.Equal(200, access.GetProperty("status").GetInt32());
        Assert.Equal("GET", access.GetProperty("method").GetString());
        Assert.True(access.GetProperty("read_capacity").GetDouble() > 0);
        Assert.False(string.IsNullOrEmpty(access.GetProperty("correlation_id").GetString()));
        Assert.DoesNotContain(id, access.GetRawText(), StringComparison.Ordinal);
    }

    private static bool Has(JsonObject document, string metric) =>
        document["_aws"]!["CloudWatchMetrics"]!.AsArray().Any(d => d!["Metrics"]!.AsArray().Any(m => (string?)m!["Name"] == metric));

    private async Task<HttpResponseMessage> SendAsync(string path, string? correlationId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (correlationId is not null)
        {
            request.Headers.TryAddWithoutValidation(RequestTelemetryMiddleware.CorrelationHeader, correlationId);
        }

        return await api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<string> UserIdAsync()
    {
        var (body, _) = await api.PostAsync("/users", new
        {
            email = $"{Guid.NewGuid():N}.{Email}",
            name = "Telemetry Vantrell",
            password = "correct horse battery staple",
        });
        return body.Id();
    }

    /// <summary>The API on Kestrel and as the Lambda function, logging down to Information so access lines are kept.</summary>
    public sealed class TelemetryFixture(DynamoDbLocalFixture dynamoDb) : LambdaFunctionFixture(dynamoDb)
    {
        protected override void Configure(WebApplicationBuilder builder)
        {
            base.Configure(builder);
            Logs.MinimumLevel = LogLevel.Information;
        }
    }
}
