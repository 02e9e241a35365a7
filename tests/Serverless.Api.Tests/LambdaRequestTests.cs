using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Api.Tests.Users;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>
/// Requests as API Gateway hands them to the function: bodies marked <c>isBase64Encoded</c>, decodable or not (the
/// hand-edited samples in tests/Serverless.Lambda.Tests/Samples carry a plain-text body marked base64), and sizes the
/// API limits with no Kestrel in front of it.
/// </summary>
public sealed class LambdaRequestTests(LambdaFunctionFixture api) : IClassFixture<LambdaFunctionFixture>
{
    private const string NotBase64 = "Hello from Lambda";

    private static byte[] MarkedBase64(ApiRequest request, string body)
    {
        var root = JsonNode.Parse(HttpApiEvents.Create(request))!.AsObject();
        root["body"] = body;
        root["isBase64Encoded"] = true;
        root["headers"]!["content-length"] = Encoding.UTF8.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    [Fact]
    public async Task A_body_marked_base64_that_is_not_base64_is_a_400_saying_so_and_writes_nothing()
    {
        var before = await api.SnapshotAsync();
        var request = new ApiRequest(HttpMethod.Post, "/users", UserRequests.Body(), [Scopes.Write]);

        var result = await api.InvokeAsync(MarkedBase64(request, NotBase64));

        Assert.True(result.Status == 400, result.Body);
        Assert.Equal("application/problem+json", result.MediaType);
        var problem = result.Json()!.Value;
        Assert.Equal(
            ["the request body is marked base64 (isBase64Encoded) but is not valid base64."],
            problem.GetProperty("errors").GetProperty("$").EnumerateArray().Select(m => m.GetString()));
        await api.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task A_body_marked_base64_that_is_not_base64_is_ignored_by_GET_health_which_reads_no_body()
    {
        var result = await api.InvokeAsync(MarkedBase64(new ApiRequest(HttpMethod.Get, "/health"), NotBase64));

        Assert.True(result.Status == 200, result.Body);
        Assert.Equal("ok", result.Json()!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_base64_body_is_decoded_and_the_user_created()
    {
        var body = UserRequests.Body();
        var request = new ApiRequest(HttpMethod.Post, "/users", body, [Scopes.Write]);

        var result = await api.InvokeAsync(MarkedBase64(request, Convert.ToBase64String(Encoding.UTF8.GetBytes(body))));

        Assert.True(result.Status == 201, result.Body);
        Assert.Equal(JsonDocument.Parse(body).RootElement.GetProperty("email").GetString(), result.Json()!.Value.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Headers_over_the_limit_are_a_431_problem_on_Lambda_too()
    {
        var root = JsonNode.Parse(HttpApiEvents.Create(new ApiRequest(HttpMethod.Get, "/health")))!.AsObject();
        root["headers"]!["x-padding"] = new string('p', 40 * 1024);

        var result = await api.InvokeAsync(Encoding.UTF8.GetBytes(root.ToJsonString()));

        Assert.True(result.Status == 431, result.Body);
        Assert.Null(ErrorMessagesTests.CheckProblem(result.Status, result.MediaType, result.Body));
        Assert.Contains("32768", result.Json()!.Value.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
