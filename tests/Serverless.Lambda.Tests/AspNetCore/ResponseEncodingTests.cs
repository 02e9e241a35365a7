using System.IO.Compression;
using System.Text.Json.Nodes;
using Serverless.Lambda.AspNetCore;
using Serverless.Lambda.Tests.Support;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.AspNetCore;

public sealed class ResponseEncodingTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] HttpApiGet(string path)
    {
        var request = Samples.Json("authtest-access-request-httpapi-v2.json");
        request["rawPath"] = path;
        return request.ToBytes();
    }

    private static byte[] RestGet(string path)
    {
        var request = Samples.Json("proxy-event.json");
        request["httpMethod"] = "GET";
        request["path"] = path;
        // API Gateway routes on the resource with its parameters: the proxy value is the path under /{proxy+}.
        request["pathParameters"] = new System.Text.Json.Nodes.JsonObject { ["proxy"] = path.TrimStart('/') };
        request.Remove("body");
        return request.ToBytes();
    }

    [Fact]
    public async Task Binary_response_is_base64_encoded()
    {
        await using var app = await EchoApp.StartAsync(Token);

        var response = await app.InvokeAsync(HttpApiGet("/binary"), Token);

        Assert.True((bool)response["isBase64Encoded"]!);
        Assert.Equal([0, 1, 2, 254, 255], Convert.FromBase64String((string)response["body"]!));
        Assert.Equal("application/octet-stream", (string)response["headers"]!["Content-Type"]!);
    }

    [Fact]
    public async Task Binary_response_to_a_rest_request_is_base64_encoded()
    {
        await using var app = await EchoApp.StartAsync(Token);

        var response = await app.InvokeAsync(RestGet("/binary"), Token);

        Assert.True((bool)response["isBase64Encoded"]!);
        Assert.Equal([0, 1, 2, 254, 255], Convert.FromBase64String((string)response["body"]!));
    }

    [Fact]
    public async Task Compressed_text_response_is_base64_encoded_because_of_its_content_encoding()
    {
        await using var app = await EchoApp.StartAsync(Token);

        var response = await app.InvokeAsync(HttpApiGet("/gzip"), Token);

        Assert.True((bool)response["isBase64Encoded"]!);
        using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String((string)response["body"]!)), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        Assert.Equal("compressed text", await reader.ReadToEndAsync(Token));
    }

    [Fact]
    public async Task Xml_suffixed_media_type_is_sent_as_text()
    {
        await using var app = await EchoApp.StartAsync(Token);

        var response = await app.InvokeAsync(HttpApiGet("/svg"), Token);

        Assert.False((bool)response["isBase64Encoded"]!);
        Assert.Equal("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", (string)response["body"]!);
    }

    [Theory]
    [InlineData("text/html; charset=utf-8", null, true)]
    [InlineData("application/json", null, true)]
    [InlineData("application/problem+json", null, true)]
    [InlineData("application/javascript", null, true)]
    [InlineData("application/xml", null, true)]
    [InlineData("application/json", "gzip", false)]
    [InlineData("text/plain", "br", false)]
    [InlineData("text/plain", "identity", true)]
    [InlineData("image/png", null, false)]
    [InlineData("application/pdf", null, false)]
    [InlineData("application/octet-stream", null, false)]
    public void Content_type_and_encoding_decide_text_or_base64(string contentType, string? contentEncoding, bool isText)
    {
        Assert.Equal(isText, ResponseContent.IsText(contentType, contentEncoding));
    }

    [Fact]
    public async Task Unhandled_exception_gives_a_500_problem_without_internals_and_is_logged()
    {
        await using var app = await EchoApp.StartAsync(Token);

        var response = await app.InvokeAsync(HttpApiGet("/throw"), Token);

        Assert.Equal(500, (int)response["statusCode"]!);
        Assert.Equal("application/problem+json", (string)response["headers"]!["Content-Type"]!);
        var body = (string)response["body"]!;
        Assert.DoesNotContain("secret", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(500, (int)problem["status"]!);
        Assert.Equal("J7m8fgZWoAMEJEA=", (string)problem["traceId"]!);
        Assert.Equal("The server failed to process the request. Retry; if it keeps failing, report the traceId.", (string)problem["detail"]!);

        var logged = LogLines.Parse(app.Logs).Single(line => (string?)line["level"] == "ERROR");
        Assert.Equal("System.InvalidOperationException", (string)logged["exception"]!["type"]!);
        Assert.Equal(typeof(LambdaServer).FullName, (string)logged["name"]!);
    }

    // An event that is no HTTP request (here a stream batch sent to the API) is answered as a bad request: no
    // exception leaves the invocation, the app never sees it, and the log says what it was not.
    [Fact]
    public async Task An_event_that_is_not_an_http_request_is_a_400_problem_the_app_never_sees()
    {
        await using var app = await EchoApp.StartAsync(Token);

        var response = await app.InvokeAsync(Samples.Bytes("dynamodb-event.json"), Token);

        Assert.Equal(400, (int)response["statusCode"]!);
        Assert.Contains("has no httpMethod", (string)response["body"]!, StringComparison.Ordinal);
        Assert.Empty(app.Arrived);
        Assert.Contains(LogLines.Parse(app.Logs), line => (string?)line["level"] == "WARN" && ((string?)line["message"])!.Contains("not an HTTP request", StringComparison.Ordinal));
    }
}
