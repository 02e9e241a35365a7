using System.Text.Json;
using Serverless.Api.Infrastructure.Json;
using Xunit;

namespace Serverless.Api.Tests.Problems;

/// <summary>Decimals are answered as DynamoDB stores them, so a write's answer and a later read are the same bytes.</summary>
public sealed class CanonicalDecimalTests
{
    private static readonly JsonSerializerOptions Options = Configured();

    private static JsonSerializerOptions Configured()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ApiJson.Configure(options);
        return options;
    }

    [Theory]
    [InlineData("12.50", "12.5")]
    [InlineData("0.000000000000000000000000", "0")]
    [InlineData("-0.00", "0")]
    [InlineData("100", "100")]
    [InlineData("1E2", "100")]
    [InlineData("0.01", "0.01")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    public void A_decimal_is_written_in_its_shortest_form(string read, string written)
    {
        var value = JsonSerializer.Deserialize<decimal>(read, Options);

        Assert.Equal(written, JsonSerializer.Serialize(value, Options));
    }

    [Theory]
    [InlineData("\"12\"")]
    [InlineData("true")]
    [InlineData("1e400")]
    public void Anything_but_a_number_that_fits_is_refused(string read)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<decimal>(read, Options));
    }
}
