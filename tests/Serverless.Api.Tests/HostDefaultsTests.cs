using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serverless.Api.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>What every host of the API (Kestrel and Lambda) starts with, before any configuration of its own.</summary>
public sealed class HostDefaultsTests(HostDefaultsTests.InformationLogsFixture api) : IClassFixture<HostDefaultsTests.InformationLogsFixture>
{
    [Fact]
    public async Task The_framework_logs_no_information_lines_per_request_while_the_apps_own_information_lines_still_show()
    {
        var before = api.Logs.Entries.Count;
        using var response = await api.SendAsync(HttpMethod.Get, "/health", null, ApiFixture.AllScopes);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var missing = await api.SendAsync(HttpMethod.Get, "/no-such-route", null, ApiFixture.AllScopes);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var perRequest = api.Logs.Entries.Skip(before).Where(e => e.StartsWith("Information Microsoft.AspNetCore", StringComparison.Ordinal)).ToList();
        Assert.Empty(perRequest);
        // The capture does see Information: the host's own start-up lines are there.
        Assert.Contains(api.Logs.Entries, e => e.StartsWith("Information Microsoft.Hosting.Lifetime", StringComparison.Ordinal));
    }

    [Fact]
    public void No_data_protection_key_ring_is_loaded_at_start_up()
    {
        // Nothing in the API protects data with it; loading (or creating) a key ring would only lengthen a cold start.
        var hosted = api.Services.GetServices<IHostedService>().Select(s => s.GetType().FullName ?? "").ToList();
        Assert.NotEmpty(hosted);
        Assert.DoesNotContain(hosted, name => name.StartsWith("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal));
    }

    /// <summary>The app as configured by default, with the capture open from Information.</summary>
    public sealed class InformationLogsFixture(DynamoDbLocalFixture dynamoDb) : ApiFixture(dynamoDb)
    {
        protected override void Configure(WebApplicationBuilder builder) => Logs.MinimumLevel = LogLevel.Information;
    }
}
