using Serverless.Lambda.AspNetCore;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.AspNetCore;

public sealed class AlbAdapterTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Alb_multi_value_request_delivers_repeated_query_keys_and_headers()
    {
        await using var app = await EchoApp.StartAsync(Token);

        await app.InvokeAsync(Samples.Bytes("alb-request-multi-value.json"), Token, requestId: "alb-invocation");

        var arrived = app.Last;
        Assert.Equal("GET", arrived.Method);
        Assert.Equal("/", arrived.Path);
        Assert.Equal(["q1-value1", "q1-value2"], arrived.Query["query1"]);
        Assert.Equal(["q2-value1", "q2-value2"], arrived.Query["query2"]);
        Assert.Equal(["h1-value1", "h1-value2"], arrived.Headers["head1"].Select(value => value ?? string.Empty));
        Assert.Equal("https", arrived.Scheme);
        Assert.Equal("72.21.198.66", arrived.RemoteIp);
        Assert.Equal("alb-invocation", arrived.TraceIdentifier);
        Assert.Equal(LambdaHttpPayloadKind.ApplicationLoadBalancer, arrived.Lambda!.Kind);
        Assert.NotNull(arrived.BodyError); // the sample's "not really base64" body
    }

    [Fact]
    public async Task Alb_multi_value_request_is_answered_with_multi_value_headers_only()
    {
        await using var app = await EchoApp.StartAsync(Token);

        var response = await app.InvokeAsync(Samples.Bytes("alb-request-multi-value.json"), Token);

        Assert.Equal(400, (int)response["statusCode"]!);
        Assert.Equal("400 Bad Request", (string)response["statusDescription"]!);
        Assert.Equal(["application/problem+json"], response["multiValueHeaders"]!["Content-Type"]!.AsArray().Select(value => (string)value!));
        Assert.False(response.ContainsKey("headers"));
    }

    [Fact]
    public async Task Alb_single_value_request_delivers_query_and_headers_and_is_answered_with_single_value_headers()
    {
        await using var app = await EchoApp.StartAsync(Token);

        var response = await app.InvokeAsync(Samples.Bytes("alb-request-single-value.json"), Token);

        var arrived = app.Last;
        Assert.Equal(["value1"], arrived.Query["query1"]);
        Assert.Equal("value2", arrived.Headers["head2"].ToString());
        Assert.Equal("72.21.198.66", arrived.RemoteIp);
        Assert.Equal(400, (int)response["statusCode"]!);
        Assert.Equal("application/problem+json", (string)response["headers"]!["Content-Type"]!);
        Assert.False(response.ContainsKey("multiValueHeaders"));
    }

    [Fact]
    public async Task Alb_multi_value_success_keeps_repeated_headers_and_every_cookie()
    {
        await using var app = await EchoApp.StartAsync(Token);
        var request = Samples.Json("alb-request-multi-value.json");
        request["isBase64Encoded"] = false;

        var response = await app.InvokeAsync(request.ToBytes(), Token);

        Assert.Equal(200, (int)response["statusCode"]!);
        Assert.Equal("200 OK", (string)response["statusDescription"]!);
        Assert.Equal("not really base64", app.Last.Body);
        var headers = response["multiValueHeaders"]!;
        Assert.Equal(["one", "two"], headers["X-Multi"]!.AsArray().Select(value => (string)value!));
        Assert.Equal(["a=1; path=/", "b=2; path=/"], headers["Set-Cookie"]!.AsArray().Select(value => (string)value!));
        Assert.False(response.ContainsKey("headers"));
    }

    [Fact]
    public async Task Alb_query_values_are_passed_through_as_the_client_encoded_them()
    {
        await using var app = await EchoApp.StartAsync(Token);
        var request = Samples.Json("alb-request-single-value.json");
        request["isBase64Encoded"] = false;
        request["queryStringParameters"]!["query1"] = "a%20b%26c";

        await app.InvokeAsync(request.ToBytes(), Token);

        Assert.Equal(["a b&c"], app.Last.Query["query1"]);
    }
}
