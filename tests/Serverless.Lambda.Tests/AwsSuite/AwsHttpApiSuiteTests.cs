namespace Serverless.Lambda.Tests.AwsSuite;

/// <summary>
/// AWS's HTTP API (payload 2.0) cases for its ASP.NET Core server (TestApiGatewayHttpApiV2Calls), run with AWS's own
/// request samples against our adapter.
/// </summary>
public sealed class AwsHttpApiSuiteTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_all_values_from_a_named_stage()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("values-get-all-httpapi-v2-with-stage.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("[\"value1\",\"value2\"]", response.Body());
        Assert.Equal(["application/json; charset=utf-8"], response.Header("Content-Type"));
    }

    [Fact]
    public async Task Binary_content_is_base64_encoded()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("values-get-binary-httpapi-v2-request.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal(["application/octet-stream"], response.Header("Content-Type"));
        Assert.True(response["isBase64Encoded"]!.GetValue<bool>());
        Assert.Equal(Enumerable.Range(0, byte.MaxValue).Select(i => (byte)i).ToArray(), response.BodyBytes());
    }

    [Fact]
    public async Task A_plus_in_the_path_stays_a_plus()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("encode-plus-in-resource-path-httpapi-v2.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("/foo+bar", response.BodyJson()["Path"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("values-get-querystring-httpapi-v2-mv-request.json", "value1,value2")]
    [InlineData("values-put-withbody-httpapi-v2-request.json", "Agent, Smith")]
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

        var response = await app.InvokeAsync("values-get-querystring-httpapi-v2-encoding-request.json", Token);

        var results = response.BodyJson();
        Assert.Equal("http://www.google.com", results["url"]!.GetValue<string>());
        Assert.Equal(DateTimeOffset.Parse("2019-03-12T16:06:06.549817+00:00", System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(results["testDateTimeOffset"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["application/json; charset=utf-8"], response.Header("Content-Type"));
    }

    // Intentional difference, as for REST APIs: a 500 problem document instead of an empty body.
    [Theory]
    [InlineData("values-get-error-httpapi-v2-request.json")]
    [InlineData("values-get-aggregateerror-httpapi-v2-request.json")]
    [InlineData("values-get-typeloaderror-httpapi-v2-request.json")]
    public async Task An_unhandled_exception_is_a_500_problem_that_names_no_exception(string sample)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(500, response.Status());
        Assert.Equal(["application/problem+json"], response.Header("Content-Type"));
        Assert.Empty(response.Header("ErrorType"));
        Assert.DoesNotContain("Exception", response.Body(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_space_in_the_path_arrives_decoded()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("encode-space-in-resource-path-httpapi-v2.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("value=tmh/file name.xml", response.Body());
    }

    [Fact]
    public async Task An_encoded_slash_is_one_segment_and_a_plain_slash_two()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);
        var sample = System.Text.Encoding.UTF8.GetString(AwsSuiteApp.Sample("encode-slash-in-resource-path-httpapi-v2.json"));

        var encoded = await app.InvokeAsync(System.Text.Encoding.UTF8.GetBytes(sample), Token);
        var plain = await app.InvokeAsync(System.Text.Encoding.UTF8.GetBytes(sample.Replace("a%2Fb", "a/b", StringComparison.Ordinal)), Token);

        Assert.Equal("{\"only\":\"a%2Fb\"}", encoded.Body());
        Assert.Equal("{\"first\":\"a\",\"second\":\"b\"}", plain.Body());
    }

    [Fact]
    public async Task A_trailing_slash_stays_on_the_path_under_the_stage()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("trailing-slash-in-path-httpapi-v2.json", Token);

        var echo = response.BodyJson();
        Assert.Equal("/beta", echo["PathBase"]!.GetValue<string>());
        Assert.Equal("/foo/", echo["Path"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("rawtarget-escaped-percent-in-path-httpapi-v2.json", "/foo%25bar")]
    [InlineData("rawtarget-escaped-percent-slash-in-path-httpapi-v2.json", "/foo%25%2Fbar")]
    [InlineData("rawtarget-escaped-reserved-in-query-httpapi-v2.json", "/foo/bar?foo=b%40r")]
    [InlineData("rawtarget-escaped-slash-in-path-httpapi-v2.json", "/foo%2Fbar")]
    public async Task Raw_target_is_the_raw_path_and_query(string sample, string expected)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(200, response.Status());
        Assert.Equal(expected, response.BodyJson()["RawTarget"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("authtest-access-request-httpapi-v2.json", 200)]
    [InlineData("authtest-noaccess-request-httpapi-v2.json", 403)]
    public async Task Jwt_claims_become_the_user(string sample, int status)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(status, response.Status());
    }

    [Fact]
    public async Task The_mtls_client_certificate_reaches_the_connection()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("mtls-request-httpapi-v2.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("O=Internet Widgits Pty Ltd, S=Some-State, C=AU", response.Body());
    }

    [Fact]
    public async Task Cookies_set_by_the_app_come_back_in_the_cookies_list()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var one = await app.InvokeAsync("cookies-get-returned-httpapi-v2-request.json", Token);
        var two = await app.InvokeAsync("cookies-get-multiple-returned-httpapi-v2-request.json", Token);

        Assert.Collection(one.Cookies(), c => Assert.StartsWith("TestCookie=TestValue", c, StringComparison.Ordinal));
        Assert.Collection(
            two.Cookies().Order(StringComparer.Ordinal),
            c => Assert.StartsWith("TestCookie1=TestValue1", c, StringComparison.Ordinal),
            c => Assert.StartsWith("TestCookie2=TestValue2", c, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("cookies-get-single-httpapi-v2-request.json", "TestValue")]
    [InlineData("cookies-get-multiple-httpapi-v2-request.json", "TestValue3")]
    public async Task Cookies_sent_by_the_client_reach_the_app(string sample, string expected)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(expected, response.Body());
    }

    [Fact]
    public async Task The_trace_identifier_is_the_lambda_trace_id_while_there_is_one()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var first = await app.InvokeAsync(AwsSuiteApp.Sample("traceid-get-httpapi-v2-request.json"), Token, traceId: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
        var second = await app.InvokeAsync(AwsSuiteApp.Sample("traceid-get-httpapi-v2-request.json"), Token, traceId: "Root=1-5759e988-bd862e3fe1be46a994272794;Sampled=0");
        var none = await app.InvokeAsync(AwsSuiteApp.Sample("traceid-get-httpapi-v2-request.json"), Token, traceId: null);

        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", first.Body());
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272794;Sampled=0", second.Body());
        Assert.False(string.IsNullOrEmpty(none.Body()));
        Assert.NotEqual(second.Body(), none.Body());
    }
}
