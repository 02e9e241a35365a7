using System.Net;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>
/// With Auth:TrustHostPrincipal false the app validates bearer tokens itself, even where the host (the Lambda
/// adapter) already put a principal on the request: that principal must never authorize anything.
/// </summary>
public sealed class UntrustedHostPrincipalTests(UntrustedHostPrincipalFixture api) : IClassFixture<UntrustedHostPrincipalFixture>
{
    [Fact]
    public async Task A_host_principal_without_a_bearer_token_gets_401_and_nothing_is_written()
    {
        var before = await api.SnapshotAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/users") { Content = Json(UserRequests.Body()) };
        request.Headers.TryAddWithoutValidation(HostPrincipalFixture.Header, "lambda-caller;data.read data.write");

        using var response = await api.Http.SendAsync(request, TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task A_host_principal_with_every_scope_does_not_lift_a_valid_tokens_missing_scope()
    {
        var before = await api.SnapshotAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/users") { Content = Json(UserRequests.Body()) };
        request.Headers.TryAddWithoutValidation(HostPrincipalFixture.Header, "lambda-caller;data.read data.write data.admin");
        request.Headers.Authorization = new("Bearer", ApiFixture.Token("data.read"));

        using var response = await api.Http.SendAsync(request, TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task A_valid_bearer_token_with_the_scope_is_let_through()
    {
        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), ApiFixture.Token("data.read", "data.write"));

        await response.ReadJsonAsync(HttpStatusCode.Created);
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
