using System.Text.Json.Nodes;

namespace Serverless.Lambda.Tests.AwsSuite;

/// <summary>
/// AWS's REST API (payload 1.0) cases for its ASP.NET Core server (Amazon.Lambda.AspNetCoreServer.Test,
/// TestCallingWebAPI), run with AWS's own request samples against our adapter. Where we answer differently on
/// purpose, the test says so (docs/lambda-layer.md lists the differences and why).
/// </summary>
public sealed class AwsRestApiSuiteTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("values-get-all-apigateway-request.json")]
    [InlineData("values-get-all-httpapi-request.json")]
    [InlineData("values-get-different-proxypath-apigateway-request.json")] // resource /api/{proxy+} under a path of its own
    public async Task Get_all_values(string sample)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("[\"value1\",\"value2\"]", response.Body());
        Assert.Equal(["application/json; charset=utf-8"], response.Header("Content-Type"));
    }

    [Theory]
    [InlineData("values-get-single-apigateway-request.json", "value=5")]
    [InlineData("values-get-querystring-apigateway-request.json", "Lewis, Meriwether")]
    [InlineData("values-get-no-querystring-apigateway-request.json", "")]
    [InlineData("values-put-withbody-apigateway-request.json", "Agent, Smith")]
    public async Task Text_answers(string sample, string expected)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(200, response.Status());
        Assert.Equal(expected, response.Body());
        Assert.Equal(["text/plain; charset=utf-8"], response.Header("Content-Type"));
    }

    [Fact]
    public async Task Encoded_query_values_arrive_decoded()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("values-get-querystring-apigateway-encoding-request.json", Token);

        var results = response.BodyJson();
        Assert.Equal("http://www.gooogle.com", results["url"]!.GetValue<string>());
        Assert.Equal(DateTimeOffset.Parse("2019-03-12T16:06:06.549817+00:00", System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(results["testDateTimeOffset"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["application/json; charset=utf-8"], response.Header("Content-Type"));
    }

    [Fact]
    public async Task Put_without_a_body_is_accepted()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("values-put-no-body-request.json", Token);

        Assert.Equal(202, response.Status());
        Assert.Equal(string.Empty, response.Body());
    }

    // Intentional difference: AWS answers an unhandled exception with 500 and an empty body (plus an ErrorType header
    // when told to); we answer 500 with an application/problem+json document that names no exception, and log it.
    [Theory]
    [InlineData("values-get-error-apigateway-request.json")]
    [InlineData("values-get-aggregateerror-apigateway-request.json")]
    [InlineData("values-get-typeloaderror-apigateway-request.json")]
    public async Task An_unhandled_exception_is_a_500_problem_that_names_no_exception(string sample)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(500, response.Status());
        Assert.Equal(["application/problem+json"], response.Header("Content-Type"));
        Assert.Empty(response.Header("ErrorType"));
        Assert.DoesNotContain("Exception", response.Body(), StringComparison.Ordinal);
        Assert.DoesNotContain("Unit test exception", response.Body(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_content_is_base64_encoded()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("values-get-binary-apigateway-request.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal(["application/octet-stream"], response.Header("Content-Type"));
        Assert.True(response["isBase64Encoded"]!.GetValue<bool>());
        Assert.Equal(Enumerable.Range(0, byte.MaxValue).Select(i => (byte)i).ToArray(), response.BodyBytes());
    }

    [Fact]
    public async Task A_plus_in_the_proxy_parameter_stays_a_plus()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("encode-plus-in-resource-path.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("/foo+bar", response.BodyJson()["Path"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_space_in_the_resource_path_arrives_decoded()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("encode-space-in-resource-path.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("value=tmh/file name.xml", response.Body());
    }

    [Fact]
    public async Task An_encoded_slash_is_one_segment_and_a_plain_slash_two()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);
        var sample = System.Text.Encoding.UTF8.GetString(AwsSuiteApp.Sample("encode-slash-in-resource-path.json"));

        var encoded = await app.InvokeAsync(System.Text.Encoding.UTF8.GetBytes(sample), Token);
        var plain = await app.InvokeAsync(System.Text.Encoding.UTF8.GetBytes(sample.Replace("a%2Fb", "a/b", StringComparison.Ordinal)), Token);

        Assert.Equal(200, encoded.Status());
        Assert.Equal("{\"only\":\"a%2Fb\"}", encoded.Body());
        Assert.Equal(200, plain.Status());
        Assert.Equal("{\"first\":\"a\",\"second\":\"b\"}", plain.Body());
    }

    [Theory]
    [InlineData("additional-path-parameters-in-proxy-path.json")]
    [InlineData("additional-path-parameters-in-non-proxy-path.json")]
    public async Task Path_parameters_of_the_resource_are_filled_in(string sample)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("/path/bar/api", response.BodyJson()["Path"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_space_in_path_and_query()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("encode-space-in-resource-path-and-query.json", Token);

        Assert.Equal(200, response.Status());
        var echo = response.BodyJson();
        Assert.Equal("/foo%20bar", echo["Path"]!.GetValue<string>());
        Assert.Equal("hello world", echo["QueryVariables"]!["greeting"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_trailing_slash_stays_on_the_path_under_the_stage()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("trailing-slash-in-path.json", Token);

        Assert.Equal(200, response.Status());
        var echo = response.BodyJson();
        Assert.Equal("/Prod", echo["PathBase"]!.GetValue<string>());
        Assert.Equal("/foo/", echo["Path"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("rawtarget-escaped-percent-in-path.json", "/foo%25bar")]
    [InlineData("rawtarget-escaped-percent-slash-in-path.json", "/foo%25%2Fbar")]
    [InlineData("rawtarget-escaped-reserved-in-query.json", "/foo/bar?foo=b%2540r")]
    [InlineData("rawtarget-escaped-slash-in-path.json", "/foo%2Fbar")]
    public async Task Raw_target_is_the_event_path_and_query_as_sent(string sample, string expected)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(200, response.Status());
        Assert.Equal(expected, response.BodyJson()["RawTarget"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("authtest-access-request.json", 200)]
    [InlineData("authtest-access-request-custom-lambda-authorizer-output.json", 200)]
    [InlineData("authtest-noaccess-request.json", 403)]
    public async Task Authorizer_claims_become_the_user(string sample, int status)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(status, response.Status());
        if (status == 200)
        {
            Assert.Equal("You Have Access", response.Body());
        }
    }

    [Theory]
    [InlineData("mtls-request.json")]
    [InlineData("mtls-request-trailing-newline.json")]
    public async Task The_mtls_client_certificate_reaches_the_connection(string sample)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("O=Internet Widgits Pty Ltd, S=Some-State, C=AU", response.Body());
    }

    [Fact]
    public async Task A_request_without_a_resource_is_routed_by_its_path()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("missing-resource-request.json", Token);

        Assert.Equal(200, response.Status());
        Assert.NotEmpty(response.Body());
        Assert.Contains("application/json", response.Header("Content-Type")[0], StringComparison.Ordinal);
    }

    // AWS writes a Content-Type of null so that API Gateway adds none; we leave the header out, which API Gateway
    // reads the same way (a REST API then sends no Content-Type for an empty body).
    [Theory]
    [InlineData("values-delete-no-content-type-apigateway-request.json", 200)]
    [InlineData("redirect-apigateway-request.json", 302)]
    public async Task An_empty_answer_carries_no_content_type(string sample, int status)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(status, response.Status());
        Assert.Equal(string.Empty, response.Body());
        Assert.DoesNotContain(response.Header("Content-Type"), v => v is not null);
        if (status == 302)
        {
            Assert.Equal(["redirecttarget"], response.Header("Location"));
        }
    }

    [Theory]
    [InlineData("check-content-length-withcontent-apigateway.json", 17)]
    [InlineData("check-content-length-nocontent-apigateway.json", 0)]
    [InlineData("check-content-length-withcontent-alb.json", 17)]
    [InlineData("check-content-length-nocontent-alb.json", 0)]
    public async Task The_request_content_length_is_the_bodys_length(string sample, int length)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal($"Request content length: {length}", response.Body().Trim());
    }

    [Fact]
    public async Task A_compressed_answer_is_base64_with_its_encoding()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("compressresponse-get-apigateway-request.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("[\"value1\",\"value2\"]", response.Decompressed());
        Assert.Equal(["application/json-compress"], response.Header("Content-Type"));
        Assert.Equal(["gzip"], response.Header("Content-Encoding"));
    }

    [Fact]
    public async Task Request_services_are_the_requests_scope()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("requestservices-get-apigateway-request.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("Microsoft.Extensions.DependencyInjection.ServiceLookup.ServiceProviderEngineScope", response.Body());
    }

    [Fact]
    public void The_custom_authorizer_sample_keeps_its_string_number_and_boolean_context_and_its_claims()
    {
        var request = Serverless.Lambda.Events.LambdaEventSerializer.Deserialize(
            Serverless.Lambda.Events.Utf8Bom.Skip(AwsSuiteApp.Sample("values-get-customauthorizer-apigateway-request.json").AsSpan()),
            Serverless.Lambda.Events.LambdaJsonContext.Default.RestApiRequest);

        var authorizer = request.RequestContext!.Authorizer!;
        Assert.False(string.IsNullOrEmpty(authorizer.Context["stringKey"]));
        Assert.Equal("9", authorizer.Context["numKey"]);
        Assert.Equal("true", authorizer.Context["boolKey"]);
        Assert.Equal("test-id", authorizer.Claims["sub"]);
    }
}
