using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Reading;

namespace Serverless.Data.Tests.Reading;

public sealed class ExpiryFilterTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_item_whose_ttl_has_passed_or_is_now_is_expired()
    {
        Assert.True(ExpiryFilter.IsExpired(new Dictionary<string, AttributeValue> { ["ttl"] = Av.EpochSeconds(Now.AddSeconds(-1)) }, Now));
        Assert.True(ExpiryFilter.IsExpired(new Dictionary<string, AttributeValue> { ["ttl"] = Av.EpochSeconds(Now) }, Now));
    }

    [Fact]
    public void An_item_with_a_future_ttl_or_none_is_live()
    {
        Assert.False(ExpiryFilter.IsExpired(new Dictionary<string, AttributeValue> { ["ttl"] = Av.EpochSeconds(Now.AddSeconds(1)) }, Now));
        Assert.False(ExpiryFilter.IsExpired(new Dictionary<string, AttributeValue> { ["PK"] = Av.S("x") }, Now));
    }

    [Fact]
    public void A_query_filter_is_combined_with_an_existing_one()
    {
        var request = new QueryRequest { FilterExpression = "#status = :s" }.ExcludeExpired(Now);
        Assert.Equal("(#status = :s) AND (attribute_not_exists(#ttl) OR #ttl > :now)", request.FilterExpression);
        Assert.Equal("ttl", request.ExpressionAttributeNames["#ttl"]);
        Assert.Equal(Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), request.ExpressionAttributeValues[":now"].N);
    }
}
