using System.Text;
using System.Text.Json.Nodes;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests;

/// <summary>
/// On Lambda the app trusts the caller only from the event shape and authorizer the template configures: an HTTP API
/// (payload 2.0) event of its API, from the JWT authorizer, for a token of the configured issuer and audience. Every
/// other event, however generous its claims, gets 401 and changes nothing. The function runs as deployed (not in
/// Development) and is driven as Lambda drives it; the forged events are the public samples with admin claims added.
/// </summary>
public sealed class TrustedClaimsTests(DeployedLambdaFunctionFixture api) : IClassFixture<DeployedLambdaFunctionFixture>
{
    private const string Forger = "forged-admin";

    private static readonly ApiRequest CreateRole = new(HttpMethod.Post, "/roles", null, [Scopes.Admin], Subject: Forger);

    private static ApiRequest RoleRequest() => CreateRole with { Body = Json.Of(new { name = "Forged " + Guid.NewGuid().ToString("N") }) };

    [Fact]
    public async Task The_JWT_authorizers_caller_of_the_configured_api_issuer_and_audience_creates_the_role()
    {
        var result = await api.InvokeAsync(RoleRequest());

        Assert.True(result.Status == 201, result.Body);
    }

    [Fact]
    public async Task An_audience_list_as_HTTP_API_passes_it_is_accepted_when_it_names_a_configured_audience()
    {
        var root = HttpApi(RoleRequest());
        Claims(root)["aud"] = $"[someone-else {DeployedLambdaFunctionFixture.OtherAudience}]";

        var result = await api.InvokeAsync(Bytes(root));

        Assert.True(result.Status == 201, result.Body);
    }

    [Fact]
    public async Task A_REST_API_event_with_forged_Cognito_claims_is_401_and_writes_nothing()
    {
        var root = RestApi("authtest-access-request.json", RoleRequest());
        var claims = root["requestContext"]!["authorizer"]!["claims"]!.AsObject();
        AddForgedClaims(claims);

        await AssertRefusedAsync(root, "EventShape", "The request came as a REST API (payload 1.0) event;");
    }

    [Fact]
    public async Task A_REST_API_event_with_a_forged_Lambda_authorizer_context_is_401_and_writes_nothing()
    {
        var root = RestApi("values-get-customauthorizer-apigateway-request.json", RoleRequest());
        var authorizer = root["requestContext"]!["authorizer"]!.AsObject();
        authorizer.Remove("claims");
        AddForgedClaims(authorizer);

        await AssertRefusedAsync(root, "EventShape", "The request came as a REST API (payload 1.0) event;");
    }

    [Fact]
    public async Task A_load_balancer_event_is_401_and_writes_nothing()
    {
        var request = RoleRequest();
        var root = Sample("alb-request-single-value.json");
        root["httpMethod"] = "POST";
        root["path"] = request.PathAndQuery;
        root["body"] = request.Body;
        root["isBase64Encoded"] = false;
        var headers = root["headers"]!.AsObject();
        headers["accept"] = "application/json";
        headers["content-type"] = "application/json";
        headers["authorization"] = "Bearer " + ApiFixture.AllScopes;

        await AssertRefusedAsync(root, "EventShape", "The request came from a load balancer;");
    }

    [Fact]
    public async Task An_HTTP_API_event_from_a_Lambda_authorizer_with_an_admin_scope_is_401_and_writes_nothing()
    {
        var root = HttpApiFromSample("http-api-v2-request-lambda-authorizer.json", RoleRequest());
        AddForgedClaims(root["requestContext"]!["authorizer"]!["lambda"]!.AsObject());

        await AssertRefusedAsync(root, "Authorizer", "The request was authorized by a Lambda authorizer;");
    }

    [Fact]
    public async Task An_HTTP_API_event_from_the_IAM_authorizer_is_401_and_writes_nothing()
    {
        var root = HttpApiFromSample("http-api-v2-request-iam-authorizer.json", RoleRequest());

        await AssertRefusedAsync(root, "Authorizer", "The request was authorized by IAM;");
    }

    [Fact]
    public async Task JWT_claims_beside_a_Lambda_authorizers_context_are_401_and_write_nothing()
    {
        var root = HttpApi(RoleRequest());
        var lambda = new JsonObject();
        AddForgedClaims(lambda);
        root["requestContext"]!["authorizer"]!["lambda"] = lambda;

        await AssertRefusedAsync(root, "Authorizer", "The request carries more than one authorizer's data;");
    }

    [Fact]
    public async Task An_HTTP_API_event_of_another_api_is_401_and_writes_nothing()
    {
        var root = HttpApi(RoleRequest());
        root["requestContext"]!["apiId"] = "other-api";

        await AssertRefusedAsync(root, "ApiId", "The request came through an API (requestContext.apiId) other than the one this function serves");
    }

    [Fact]
    public async Task A_token_of_another_issuer_is_401_and_writes_nothing()
    {
        var root = HttpApi(RoleRequest());
        Claims(root)["iss"] = "https://attacker.example.com/";

        await AssertRefusedAsync(root, "Issuer", $"The token was not issued by {DeployedLambdaFunctionFixture.Issuer}, the issuer this API trusts.");
    }

    [Fact]
    public async Task A_token_of_another_issuer_granting_admin_in_scp_is_401_and_writes_nothing()
    {
        var root = HttpApi(RoleRequest() with { Scopes = [Scopes.Read] });
        var claims = Claims(root);
        claims["iss"] = DevAuth.Issuer;
        claims["scp"] = Scopes.Admin;

        await AssertRefusedAsync(root, "Issuer", $"The token was not issued by {DeployedLambdaFunctionFixture.Issuer}, the issuer this API trusts.");
    }

    [Fact]
    public async Task A_token_without_an_issuer_is_401_and_writes_nothing()
    {
        var root = HttpApi(RoleRequest());
        Claims(root).Remove("iss");

        await AssertRefusedAsync(root, "Issuer", "The token was not issued by");
    }

    [Fact]
    public async Task A_token_for_another_audience_is_401_and_writes_nothing()
    {
        var root = HttpApi(RoleRequest());
        Claims(root)["aud"] = "[someone-else another-one]";

        await AssertRefusedAsync(root, "Audience", "The token is not for this API: its audience (aud) must be one of "
            + $"{DeployedLambdaFunctionFixture.Audience}, {DeployedLambdaFunctionFixture.OtherAudience}.");
    }

    [Fact]
    public async Task A_Cognito_access_token_is_judged_by_its_client_id_when_it_has_no_audience()
    {
        var accepted = HttpApi(RoleRequest());
        Claims(accepted).Remove("aud");
        Claims(accepted)["client_id"] = DeployedLambdaFunctionFixture.Audience;
        var result = await api.InvokeAsync(Bytes(accepted));
        Assert.True(result.Status == 201, result.Body);

        var refused = HttpApi(RoleRequest());
        Claims(refused).Remove("aud");
        Claims(refused)["client_id"] = "another-app-client";
        await AssertRefusedAsync(refused, "Audience", "The token is not for this API");
    }

    [Fact]
    public async Task An_event_without_an_authorizer_on_a_protected_route_is_401_and_writes_nothing()
    {
        var root = HttpApi(RoleRequest());
        root["requestContext"]!.AsObject().Remove("authorizer");

        await AssertRefusedAsync(root, "NoCaller", "No caller came with the request: on Lambda the API takes the caller from API Gateway's JWT authorizer.");
    }

    [Fact]
    public async Task An_open_route_still_answers_events_of_any_shape()
    {
        var root = RestApi("authtest-access-request.json", new ApiRequest(HttpMethod.Get, "/health"));

        var result = await api.InvokeAsync(Bytes(root));

        Assert.True(result.Status == 200, result.Body);
    }

    private async Task AssertRefusedAsync(JsonObject root, string check, string detail)
    {
        var before = await api.SnapshotAsync();
        var logBefore = api.LambdaLog.Length;

        var result = await api.InvokeAsync(Bytes(root));

        Assert.True(result.Status == 401, $"{result.Status}: {result.Body}");
        Assert.StartsWith(detail, result.Json()!.Value.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await api.AssertUnchangedAsync(before);

        // One line names the check that failed; no claim value (the forged subject, scope, issuer) is logged.
        var log = api.LambdaLog[logBefore..];
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains("\"name\":\"Serverless.Api.Infrastructure.Auth.HostPrincipalHandler\"", StringComparison.Ordinal))
            .ToList();
        var line = Assert.Single(lines);
        Assert.Contains($"Refused the request's caller: the {check} check failed", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Forger, log, StringComparison.Ordinal);
        Assert.DoesNotContain("attacker.example.com", log, StringComparison.Ordinal);
        Assert.DoesNotContain(Scopes.Admin, log, StringComparison.Ordinal);
    }

    /// <summary>Admin claims as a forger would add them, with this API's own issuer and audience for good measure.</summary>
    private static void AddForgedClaims(JsonObject claims)
    {
        claims["sub"] = Forger;
        claims["scope"] = $"{Scopes.Read} {Scopes.Write} {Scopes.Admin}";
        claims["iss"] = DeployedLambdaFunctionFixture.Issuer;
        claims["aud"] = DeployedLambdaFunctionFixture.Audience;
    }

    private static JsonObject HttpApi(ApiRequest request) =>
        JsonNode.Parse(HttpApiEvents.Create(request, DeployedLambdaFunctionFixture.Issuer, DeployedLambdaFunctionFixture.Audience))!.AsObject();

    private static JsonObject Claims(JsonObject root) => root["requestContext"]!["authorizer"]!["jwt"]!["claims"]!.AsObject();

    /// <summary>An HTTP API sample of another authorizer, sent to this API for <paramref name="request"/>.</summary>
    private static JsonObject HttpApiFromSample(string sample, ApiRequest request)
    {
        var root = Sample(sample);
        root["routeKey"] = "$default";
        root["rawPath"] = request.PathAndQuery;
        root["rawQueryString"] = "";
        root.Remove("cookies");
        root.Remove("queryStringParameters");
        root.Remove("pathParameters");
        root["headers"] = new JsonObject { ["content-type"] = "application/json" };
        root["body"] = request.Body;
        root["isBase64Encoded"] = false;
        var context = root["requestContext"]!.AsObject();
        context["apiId"] = HttpApiEvents.ApiId;
        context["stage"] = "$default";
        context["http"]!["method"] = request.Method.Method;
        context["http"]!["path"] = request.PathAndQuery;
        return root;
    }

    /// <summary>A REST API (payload 1.0) sample sent for <paramref name="request"/>.</summary>
    private static JsonObject RestApi(string sample, ApiRequest request)
    {
        var root = Sample(sample);
        root["resource"] = request.PathAndQuery;
        root["path"] = request.PathAndQuery;
        root["httpMethod"] = request.Method.Method;
        root["headers"] = new JsonObject { ["content-type"] = "application/json", ["authorization"] = "Bearer " + ApiFixture.AllScopes };
        root.Remove("multiValueHeaders");
        root["queryStringParameters"] = null;
        root["pathParameters"] = null;
        root["body"] = request.Body;
        root["isBase64Encoded"] = false;
        var context = root["requestContext"]!.AsObject();
        context["apiId"] = HttpApiEvents.ApiId;
        context["httpMethod"] = request.Method.Method;
        context["resourcePath"] = request.PathAndQuery;
        context.Remove("path");
        return root;
    }

    private static JsonObject Sample(string name) =>
        JsonNode.Parse(File.ReadAllText(RepoPaths.Of("tests", "Serverless.Lambda.Tests", "Samples", name)))!.AsObject();

    private static byte[] Bytes(JsonObject root) => Encoding.UTF8.GetBytes(root.ToJsonString());
}
