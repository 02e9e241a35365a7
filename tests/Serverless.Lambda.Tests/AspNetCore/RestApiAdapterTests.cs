using System.Text.Json.Nodes;
using Serverless.Lambda.AspNetCore;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.AspNetCore;

public sealed class RestApiAdapterTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rest_proxy_event_delivers_method_path_query_headers_body_and_source_ip()
    {
        await using var app = await EchoApp.StartAsync(Token);

        await app.InvokeAsync(Samples.Bytes("proxy-event.json"), Token);

        var arrived = app.Last;
        Assert.Equal("POST", arrived.Method);
        Assert.Equal("https", arrived.Scheme);
        Assert.Equal("/hello/world", arrived.Path);
        Assert.Equal(string.Empty, arrived.PathBase); // no requestContext.path: nothing says a stage was called
        Assert.Equal(["me"], arrived.Query["name"]);
        Assert.Equal("headerValue", arrived.Headers["headerName"].ToString());
        Assert.Equal("{\r\n\t\"a\": 1\r\n}", arrived.Body);
        Assert.Equal("192.168.196.186", arrived.RemoteIp);
        Assert.Equal("deef4878-7910-11e6-8f14-25afc3e9ae33", arrived.TraceIdentifier);
        Assert.False(arrived.IsAuthenticated);
        Assert.Equal(LambdaHttpPayloadKind.RestApiV1, arrived.Lambda!.Kind);
        Assert.Equal("stageVariableValue", arrived.Lambda.RestApiRequest!.StageVariables!["stageVariableName"]);
    }

    [Fact]
    public async Task Rest_stage_in_the_called_path_becomes_the_path_base_and_cognito_claims_the_user()
    {
        await using var app = await EchoApp.StartAsync(Token);

        await app.InvokeAsync(Samples.Bytes("authtest-access-request.json"), Token);

        var arrived = app.Last;
        Assert.Equal("/Prod", arrived.PathBase);
        Assert.Equal("/api/authtest", arrived.Path);
        Assert.True(arrived.IsAuthenticated);
        Assert.Equal(AuthorizerClaims.CognitoAuthenticationType, arrived.AuthenticationType);
        Assert.Equal("normj", arrived.Claims["cognito:username"]);
        Assert.Equal("3mushfc8sgm8uoacvif5vhkt49", arrived.Claims["aud"]);
        Assert.Equal("50.35.77.7", arrived.RemoteIp);
        Assert.Equal("7713b963-f984-11e7-b02a-f346964d4540", arrived.TraceIdentifier);
    }

    [Fact]
    public async Task Rest_post_with_json_body_and_stage_prod_arrives_under_path_base()
    {
        await using var app = await EchoApp.StartAsync(Token);

        await app.InvokeAsync(Samples.Bytes("apigw_event2.json"), Token);

        var arrived = app.Last;
        Assert.Equal("/prod", arrived.PathBase);
        Assert.Equal("/path/to/resource", arrived.Path);
        Assert.Equal(["bar"], arrived.Query["foo"]);
        Assert.Equal("{\"address\": \"https://checkip.amazonaws.com\"}", arrived.Body);
        Assert.Equal("127.0.0.1", arrived.RemoteIp);
        Assert.Equal("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", arrived.TraceIdentifier);
    }

    [Fact]
    public async Task Rest_lambda_authorizer_typed_context_values_and_claims_become_claims_without_headers()
    {
        await using var app = await EchoApp.StartAsync(Token);

        var response = await app.InvokeAsync(Samples.Bytes("values-get-customauthorizer-apigateway-request.json"), Token);

        var arrived = app.Last;
        Assert.Equal("/api/resourcepath/5", arrived.Path);
        Assert.True(arrived.IsAuthenticated);
        Assert.Equal("test-id", arrived.Claims["sub"]);
        Assert.Equal("Hey there I'm a string!", arrived.Claims["stringKey"]);
        Assert.Equal("9", arrived.Claims["numKey"]);
        Assert.Equal("true", arrived.Claims["boolKey"]);
        Assert.Equal("127.0.0.1", arrived.RemoteIp);
        Assert.Equal(200, (int)response["statusCode"]!);
    }

    [Fact]
    public async Task Rest_response_carries_both_headers_and_multi_value_headers()
    {
        await using var app = await EchoApp.StartAsync(Token);

        var response = await app.InvokeAsync(Samples.Bytes("proxy-event.json"), Token);

        Assert.Equal(200, (int)response["statusCode"]!);
        Assert.Equal("one,two", (string)response["headers"]!["X-Multi"]!);
        Assert.Equal(["one", "two"], response["multiValueHeaders"]!["X-Multi"]!.AsArray().Select(value => (string)value!));
        Assert.Equal(["a=1; path=/", "b=2; path=/"], response["multiValueHeaders"]!["Set-Cookie"]!.AsArray().Select(value => (string)value!));
        Assert.Equal("b=2; path=/", (string)response["headers"]!["Set-Cookie"]!);
        Assert.False(response.ContainsKey("cookies"));
        Assert.Equal("{\"echo\":\"ok\"}", (string)response["body"]!);
    }

    [Fact]
    public async Task Rest_multi_value_query_parameters_arrive_as_repeated_keys_and_are_escaped_again()
    {
        await using var app = await EchoApp.StartAsync(Token);
        var request = Samples.Json("proxy-event.json");
        request["multiValueQueryStringParameters"] = new JsonObject
        {
            ["name"] = new JsonArray("me", "you"),
            ["q"] = new JsonArray("a b&c=d"),
        };

        await app.InvokeAsync(request.ToBytes(), Token);

        Assert.Equal(["me", "you"], app.Last.Query["name"]);
        Assert.Equal(["a b&c=d"], app.Last.Query["q"]);
    }

    [Fact]
    public async Task Rest_custom_domain_path_without_the_stage_keeps_an_empty_path_base()
    {
        await using var app = await EchoApp.StartAsync(Token);
        var request = Samples.Json("authtest-access-request.json");
        request["requestContext"]!["path"] = "/api/authtest";

        await app.InvokeAsync(request.ToBytes(), Token);

        Assert.Equal(string.Empty, app.Last.PathBase);
        Assert.Equal("/api/authtest", app.Last.Path);
    }
}
