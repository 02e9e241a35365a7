using System.Net;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>
/// Told to trust the host's caller, the app still trusts it only from an API Gateway event: a host that is not the
/// Lambda function (here Kestrel, with a filter putting a principal on the request) brings no event to check.
/// </summary>
public sealed class KestrelHostPrincipalTests(HostPrincipalFixture api) : IClassFixture<HostPrincipalFixture>
{
    [Fact]
    public async Task A_host_principal_that_came_with_no_event_is_401_and_nothing_is_written()
    {
        var before = await api.SnapshotAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/users")
        {
            Content = new StringContent(UserRequests.Body(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(HostPrincipalFixture.Header, "host-caller;data.read data.write data.admin");

        using var response = await api.Http.SendAsync(request, TestContext.Current.CancellationToken);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.StartsWith("The request did not come from API Gateway:", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await api.AssertUnchangedAsync(before);
        Assert.Contains(api.Logs.Entries, e => e.Contains("the Event check failed", StringComparison.Ordinal));
    }
}
