namespace Serverless.Lambda.Tests.AwsSuite;

/// <summary>
/// AWS's Application Load Balancer cases for its ASP.NET Core server (TestApplicationLoadBalancerCalls), run with
/// AWS's own request samples against our adapter. A target group with multi-value headers answers in
/// <c>multiValueHeaders</c>, one without in <c>headers</c>; <see cref="LambdaResponses.Header"/> reads either.
/// </summary>
public sealed class AwsAlbSuiteTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("values-get-all-alb-request.json")]
    [InlineData("alb-healthcheck.json")]
    public async Task Get_all_values(string sample)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("[\"value1\",\"value2\"]", response.Body());
        Assert.Equal(["application/json; charset=utf-8"], response.Header("Content-Type"));
    }

    [Theory]
    [InlineData("values-get-querystring-alb-request.json", "Lewis, Meriwether")]
    [InlineData("values-get-no-querystring-alb-request.json", "")]
    [InlineData("values-get-no-querystring-alb-mv-request.json", "")]
    [InlineData("values-get-querystring-alb-mv-request.json", "value1,value2")]
    [InlineData("values-put-withbody-alb-request.json", "Agent, Smith")]
    [InlineData("values-put-withbody-alb-mv-request.json", "Agent, Smith")]
    [InlineData("values-get-single-alb-request.json", "value=5")]
    public async Task Text_answers(string sample, string expected)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(200, response.Status());
        Assert.Equal(expected, response.Body());
        Assert.Equal(["text/plain; charset=utf-8"], response.Header("Content-Type"));
    }

    [Theory]
    [InlineData("values-get-querystring-alb-encoding-request.json")]
    [InlineData("values-get-querystring-alb-mv-encoding-request.json")]
    public async Task Encoded_query_values_arrive_decoded(string sample)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        var results = response.BodyJson();
        Assert.Equal("http://www.gooogle.com", results["url"]!.GetValue<string>());
        Assert.Equal(DateTimeOffset.Parse("2019-03-12T16:06:06.549817+00:00", System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(results["testDateTimeOffset"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["application/json; charset=utf-8"], response.Header("Content-Type"));
    }

    [Fact]
    public async Task Binary_content_is_base64_encoded()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("values-get-binary-alb-request.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal(["application/octet-stream"], response.Header("Content-Type"));
        Assert.True(response["isBase64Encoded"]!.GetValue<bool>());
        Assert.Equal(Enumerable.Range(0, byte.MaxValue).Select(i => (byte)i).ToArray(), response.BodyBytes());
    }

    [Fact]
    public async Task A_base64_request_body_arrives_decoded_and_text_goes_back_as_text()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("values-put-binary-alb-request.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("Greetings, programs!", response.Body());
        Assert.False(response["isBase64Encoded"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_compressed_answer_is_base64_with_its_encoding()
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync("compressresponse-get-alb-request.json", Token);

        Assert.Equal(200, response.Status());
        Assert.Equal("[\"value1\",\"value2\"]", response.Decompressed());
        Assert.Equal(["application/json-compress"], response.Header("Content-Type"));
        Assert.Equal(["gzip"], response.Header("Content-Encoding"));
    }

    [Theory]
    [InlineData("rawtarget-escaped-percent-in-path-alb.json", "/foo%25bar")]
    [InlineData("rawtarget-escaped-percent-slash-in-path-alb.json", "/foo%25%2Fbar")]
    [InlineData("rawtarget-escaped-reserved-in-query-alb.json", "/foo/bar?foo=b%40r")]
    [InlineData("rawtarget-escaped-slash-in-path-alb.json", "/foo%2Fbar")]
    public async Task Raw_target_is_the_path_and_query_as_the_client_sent_them(string sample, string expected)
    {
        await using var app = await AwsSuiteApp.StartAsync(Token);

        var response = await app.InvokeAsync(sample, Token);

        Assert.Equal(200, response.Status());
        Assert.Equal(expected, response.BodyJson()["RawTarget"]!.GetValue<string>());
    }
}
