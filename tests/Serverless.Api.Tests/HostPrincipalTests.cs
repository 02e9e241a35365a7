using System.Net;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Serverless.Data.Table;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>On Lambda the scopes come from the host's principal (API Gateway already validated the token).</summary>
public sealed class HostPrincipalTests(HostPrincipalFixture api) : IClassFixture<HostPrincipalFixture>
{
    [Fact]
    public async Task The_hosts_principal_with_the_scope_is_let_through_and_its_subject_is_the_last_writer()
    {
        using var response = await SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), "lambda-caller;data.read data.write");
        var user = await response.ReadJsonAsync(HttpStatusCode.Created);
        var item = (await api.ItemsAsync()).Single(i => i[Attr.PK].S == "USER#" + user.IdOf() && i[Attr.SK].S == "PROFILE");
        Assert.Equal("lambda-caller", item[Attr.LastWriter].S);
    }

    [Fact]
    public async Task The_hosts_principal_without_the_scope_gets_403_and_nothing_is_written()
    {
        var before = await api.SnapshotAsync();
        using var response = await SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), "lambda-caller;data.read");
        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task A_bearer_token_is_not_validated_here_so_without_a_host_principal_it_is_401()
    {
        var before = await api.SnapshotAsync();
        using var response = await api.SendAsync(HttpMethod.Post, "/users", UserRequests.Body(), ApiFixture.AllScopes);
        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.StartsWith("No caller came with the request: on Lambda the API takes the caller from API Gateway's JWT authorizer.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Admin_routes_need_the_admin_scope_from_the_host()
    {
        using var denied = await SendAsync(HttpMethod.Get, $"/audit/User/{Guid.NewGuid()}", null, "ops;data.read data.write");
        await denied.AssertProblemAsync(HttpStatusCode.Forbidden);
        using var allowed = await SendAsync(HttpMethod.Get, $"/audit/User/{Guid.NewGuid()}", null, "ops;" + Scopes.Admin);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task The_API_reference_page_is_not_served_on_Lambda_but_the_OpenAPI_document_is()
    {
        using var page = await api.SendAsync(HttpMethod.Get, "/scalar/");
        await page.AssertProblemAsync(HttpStatusCode.NotFound);
        using var document = await api.SendAsync(HttpMethod.Get, "/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json, string principal)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add(HostPrincipalFixture.Header, principal);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return await api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
