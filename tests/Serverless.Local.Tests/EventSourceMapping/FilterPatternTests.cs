using System.Text.Json;
using Serverless.Local.EventSourceMapping;
using Xunit;

namespace Serverless.Local.Tests.EventSourceMapping;

/// <summary>Lambda's documented event filtering rules, applied to DynamoDB stream records as the function sees them.</summary>
public sealed class FilterPatternTests
{
    private const string UserInsert = """
        {"eventID":"1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",
         "dynamodb":{"Keys":{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"}},
                     "NewImage":{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"},"entityType":{"S":"User"},"status":{"S":"active"},
                                 "tags":{"SS":["vip","beta"]},"version":{"N":"3"}},
                     "SequenceNumber":"100","SizeBytes":40,"StreamViewType":"NEW_AND_OLD_IMAGES"},
         "eventSourceARN":"arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/1","score":42}
        """;

    private const string TtlRemove = """
        {"eventID":"2","eventName":"REMOVE","userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"},
         "dynamodb":{"Keys":{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"}},"OldImage":{"entityType":{"S":"User"}},"SequenceNumber":"200"}}
        """;

    [Theory]
    [InlineData("""{"eventName":["INSERT"]}""", true)]
    [InlineData("""{"eventName":["MODIFY"]}""", false)]
    [InlineData("""{"eventName":["MODIFY","INSERT"]}""", true)]
    [InlineData("""{"dynamodb":{"NewImage":{"entityType":{"S":["User"]}}}}""", true)]
    [InlineData("""{"dynamodb":{"NewImage":{"entityType":{"S":["Order"]}}}}""", false)]
    [InlineData("""{"eventName":["INSERT"],"dynamodb":{"NewImage":{"entityType":{"S":["Order"]}}}}""", false)]
    public void Exact_values_match_and_all_fields_must_match(string pattern, bool expected) =>
        Assert.Equal(expected, Matches(pattern, UserInsert));

    [Theory]
    [InlineData("""{"dynamodb":{"Keys":{"PK":{"S":[{"prefix":"USER#"}]}}}}""", true)]
    [InlineData("""{"dynamodb":{"Keys":{"PK":{"S":[{"prefix":"ORDER#"}]}}}}""", false)]
    [InlineData("""{"dynamodb":{"Keys":{"SK":{"S":[{"suffix":"FILE"}]}}}}""", true)]
    [InlineData("""{"dynamodb":{"NewImage":{"status":{"S":[{"equals-ignore-case":"ACTIVE"}]}}}}""", true)]
    public void Prefix_suffix_and_case_insensitive_matches(string pattern, bool expected) =>
        Assert.Equal(expected, Matches(pattern, UserInsert));

    [Theory]
    [InlineData("""{"eventName":[{"anything-but":"REMOVE"}]}""", true)]
    [InlineData("""{"eventName":[{"anything-but":["INSERT","MODIFY"]}]}""", false)]
    [InlineData("""{"dynamodb":{"Keys":{"PK":{"S":[{"anything-but":{"prefix":"AUDIT#"}}]}}}}""", true)]
    [InlineData("""{"dynamodb":{"Keys":{"PK":{"S":[{"anything-but":{"prefix":"USER#"}}]}}}}""", false)]
    public void Anything_but_excludes_values_lists_and_prefixes(string pattern, bool expected) =>
        Assert.Equal(expected, Matches(pattern, UserInsert));

    [Fact]
    public void Anything_but_does_not_match_a_missing_field() =>
        Assert.False(Matches("""{"dynamodb":{"NewImage":{"deletedAt":{"S":[{"anything-but":"x"}]}}}}""", UserInsert));

    [Theory]
    [InlineData("""{"score":[{"numeric":[">",40]}]}""", true)]
    [InlineData("""{"score":[{"numeric":[">=",0,"<",42]}]}""", false)]
    [InlineData("""{"score":[{"numeric":[">",0,"<=",42]}]}""", true)]
    [InlineData("""{"score":[{"numeric":["=",42]}]}""", true)]
    [InlineData("""{"score":[42]}""", true)]
    public void Numeric_comparisons_and_ranges_apply_to_json_numbers(string pattern, bool expected) =>
        Assert.Equal(expected, Matches(pattern, UserInsert));

    [Fact]
    public void Numeric_filters_do_not_apply_to_dynamodb_numbers_which_are_strings() =>
        Assert.False(Matches("""{"dynamodb":{"NewImage":{"version":{"N":[{"numeric":[">",1]}]}}}}""", UserInsert));

    [Theory]
    [InlineData("""{"userIdentity":{"type":[{"exists":true}]}}""", false, true)]
    [InlineData("""{"userIdentity":{"type":[{"exists":false}]}}""", true, false)]
    [InlineData("""{"dynamodb":{"NewImage":{"entityType":{"S":[{"exists":true}]}}}}""", true, false)]
    public void Exists_tells_present_fields_from_missing_ones(string pattern, bool onInsert, bool onTtlRemove)
    {
        Assert.Equal(onInsert, Matches(pattern, UserInsert));
        Assert.Equal(onTtlRemove, Matches(pattern, TtlRemove));
    }

    [Fact]
    public void Exists_true_does_not_match_an_object_only_leaves() =>
        Assert.False(Matches("""{"dynamodb":{"NewImage":[{"exists":true}]}}""", UserInsert));

    [Fact]
    public void A_value_matches_when_any_element_of_an_array_matches()
    {
        Assert.True(Matches("""{"dynamodb":{"NewImage":{"tags":{"SS":["beta"]}}}}""", UserInsert));
        Assert.False(Matches("""{"dynamodb":{"NewImage":{"tags":{"SS":["gold"]}}}}""", UserInsert));
    }

    [Fact]
    public void Or_of_patterns_matches_when_one_alternative_does()
    {
        const string pattern = """
            {"$or":[{"eventName":["REMOVE"]},{"dynamodb":{"NewImage":{"status":{"S":["active"]}}}}]}
            """;
        Assert.True(Matches(pattern, UserInsert));
        Assert.True(Matches(pattern, TtlRemove));
        Assert.False(Matches("""{"$or":[{"eventName":["MODIFY"]},{"eventName":["REMOVE"]}]}""", UserInsert));
    }

    [Fact]
    public void A_record_passes_a_mapping_when_any_of_its_filters_matches()
    {
        var filters = new[] { FilterPattern.Parse("""{"eventName":["REMOVE"]}"""), FilterPattern.Parse("""{"eventName":["INSERT"]}""") };
        using var doc = JsonDocument.Parse(UserInsert);

        Assert.True(FilterPattern.AnyMatches(filters, doc.RootElement));
        Assert.False(FilterPattern.AnyMatches(filters[..1], doc.RootElement));
        Assert.True(FilterPattern.AnyMatches([], doc.RootElement));
    }

    [Fact]
    public void Null_matches_a_json_null_but_not_a_missing_field()
    {
        Assert.True(Matches("""{"x":[null]}""", """{"x":null}"""));
        Assert.False(Matches("""{"x":[null]}""", """{"y":1}"""));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""["eventName"]""")]
    [InlineData("""{"eventName":"INSERT"}""")]
    [InlineData("""{"eventName":[{"prefix":1}]}""")]
    [InlineData("""{"eventName":[{"wildcard-ish":"x"}]}""")]
    [InlineData("""{"score":[{"numeric":["<",5,">",1]}]}""")]
    [InlineData("""{"score":[{"numeric":["!=",5]}]}""")]
    [InlineData("""{"$or":[{"eventName":["INSERT"]}]}""")]
    public void A_malformed_pattern_is_rejected_with_a_reason(string pattern)
    {
        var error = Assert.Throws<FilterPatternException>(() => FilterPattern.Parse(pattern));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    private static bool Matches(string pattern, string record)
    {
        using var doc = JsonDocument.Parse(record);
        return FilterPattern.Parse(pattern).Matches(doc.RootElement);
    }
}
