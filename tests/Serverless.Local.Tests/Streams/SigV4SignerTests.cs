using System.Text;
using Serverless.Local.Streams;
using Xunit;

namespace Serverless.Local.Tests.Streams;

/// <summary>Vectors from AWS's public Signature Version 4 test suite (credentials AKIDEXAMPLE, 2015-08-30 12:36:00 UTC).</summary>
public sealed class SigV4SignerTests
{
    private static readonly AwsCredentials SuiteCredentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Fact]
    public void Get_vanilla_matches_the_published_canonical_request_and_signature()
    {
        var result = SigV4Signer.Sign(
            "GET",
            new Uri("https://example.amazonaws.com/"),
            [new("Host", "example.amazonaws.com")],
            [],
            SuiteCredentials,
            "us-east-1",
            "service",
            SuiteTime);

        Assert.Equal(
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            result.CanonicalRequest);
        Assert.Equal(
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            result.StringToSign);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            result.Authorization);
        Assert.Equal("20150830T123600Z", result.AmzDate);
    }

    [Fact]
    public void Query_parameters_are_sorted_before_signing()
    {
        var result = SigV4Signer.Sign(
            "GET",
            new Uri("https://example.amazonaws.com/?Param2=value2&Param1=value1"),
            [new("Host", "example.amazonaws.com")],
            [],
            SuiteCredentials,
            "us-east-1",
            "service",
            SuiteTime);

        Assert.EndsWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", result.Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void A_post_body_and_content_type_are_part_of_the_signature()
    {
        var result = SigV4Signer.Sign(
            "POST",
            new Uri("https://example.amazonaws.com/"),
            [new("Content-Type", "application/x-www-form-urlencoded"), new("Host", "example.amazonaws.com")],
            Encoding.UTF8.GetBytes("Param1=value1"),
            SuiteCredentials,
            "us-east-1",
            "service",
            SuiteTime);

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            result.Authorization);
    }

    [Fact]
    public void A_session_token_is_signed_and_returned_for_the_request()
    {
        var withToken = SuiteCredentials with { SessionToken = "token" };
        var result = SigV4Signer.Sign("GET", new Uri("https://example.amazonaws.com/"), [new("Host", "example.amazonaws.com")], [], withToken, "us-east-1", "service", SuiteTime);

        Assert.Contains("SignedHeaders=host;x-amz-date;x-amz-security-token,", result.Authorization, StringComparison.Ordinal);
        Assert.Equal("token", result.SecurityToken);
    }
}
