using System.Text;
using System.Text.Json.Nodes;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Serverless.Data.Table;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>
/// On Lambda the scopes come from the caller API Gateway's JWT authorizer passed on (it already validated the token):
/// the function as <c>invoke</c> runs it, called with HTTP API events.
/// </summary>
public sealed class HostPrincipalTests(LambdaFunctionFixture api) : IClassFixture<LambdaFunctionFixture>
{
    [Fact]
    public async Task The_authorizers_caller_with_the_scope_is_let_through_and_its_subject_is_the_last_writer()
    {
        var result = await api.InvokeAsync(new ApiRequest(HttpMethod.Post, "/users", UserRequests.Body(), [Scopes.Read, Scopes.Write], Subject: "lambda-caller"));

        Assert.True(result.Status == 201, result.Body);
        var id = result.Json()!.Value.GetProperty("id").GetString();
        var item = (await api.ItemsAsync()).Single(i => i[Attr.PK].S == "USER#" + id && i[Attr.SK].S == "PROFILE");
        Assert.Equal("lambda-caller", item[Attr.LastWriter].S);
    }

    [Fact]
    public async Task The_authorizers_caller_without_the_scope_gets_403_and_nothing_is_written()
    {
        var before = await api.SnapshotAsync();

        var result = await api.InvokeAsync(new ApiRequest(HttpMethod.Post, "/users", UserRequests.Body(), [Scopes.Read]));

        Assert.True(result.Status == 403, result.Body);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task A_bearer_token_is_not_validated_here_so_without_the_authorizers_caller_it_is_401()
    {
        var before = await api.SnapshotAsync();
        // A valid token of the development key in the header, as on Kestrel, but no authorizer data in the event.
        var root = JsonNode.Parse(HttpApiEvents.Create(new ApiRequest(HttpMethod.Post, "/users", UserRequests.Body())))!.AsObject();
        root["headers"]!["authorization"] = "Bearer " + ApiFixture.AllScopes;

        var result = await api.InvokeAsync(Encoding.UTF8.GetBytes(root.ToJsonString()));

        Assert.True(result.Status == 401, result.Body);
        Assert.StartsWith("No caller came with the request: on Lambda the API takes the caller from API Gateway's JWT authorizer.",
            result.Json()!.Value.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Admin_routes_need_the_admin_scope_from_the_authorizer()
    {
        var denied = await api.InvokeAsync(new ApiRequest(HttpMethod.Get, $"/audit/User/{Guid.NewGuid()}", Scopes: [Scopes.Read, Scopes.Write]));
        Assert.True(denied.Status == 403, denied.Body);

        var allowed = await api.InvokeAsync(new ApiRequest(HttpMethod.Get, $"/audit/User/{Guid.NewGuid()}", Scopes: [Scopes.Admin]));
        Assert.True(allowed.Status == 200, allowed.Body);
    }

    [Fact]
    public async Task The_API_reference_page_is_not_served_on_Lambda()
    {
        var page = await api.InvokeAsync(new ApiRequest(HttpMethod.Get, "/scalar/"));

        Assert.True(page.Status == 404, page.Body);
    }
}
