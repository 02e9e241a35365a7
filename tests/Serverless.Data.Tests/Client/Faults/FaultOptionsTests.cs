using Serverless.Data.Client.Faults;

namespace Serverless.Data.Tests.Client.Faults;

public sealed class FaultOptionsTests
{
    [Fact]
    public void A_spec_names_rates_a_seed_and_operations()
    {
        var options = FaultOptions.Parse("throttle=0.2, lost=0.1,seed=7,ops=DynamoDB_20120810.TransactWriteItems+DynamoDB_20120810.PutItem");

        Assert.Equal(0.2, options.Rates[FaultClass.Throttling]);
        Assert.Equal(0.1, options.Rates[FaultClass.AppliedButLost]);
        Assert.Equal(2, options.Rates.Count);
        Assert.Equal(7, options.Seed);
        Assert.Equal(["DynamoDB_20120810.PutItem", "DynamoDB_20120810.TransactWriteItems"], options.Operations.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("throttle=1.5")]
    [InlineData("throttle=0.6,500=0.6")]
    [InlineData("flood=0.1")]
    [InlineData("timeout")]
    [InlineData("reset=often")]
    [InlineData("seed=x")]
    public void A_bad_spec_is_refused_with_a_clear_error(string spec)
    {
        var e = Assert.Throws<FormatException>(() => FaultOptions.Parse(spec));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }
}
