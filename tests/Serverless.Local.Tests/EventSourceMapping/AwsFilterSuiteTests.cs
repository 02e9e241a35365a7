using System.Text.Json;
using Serverless.Local.EventSourceMapping;
using Xunit;

namespace Serverless.Local.Tests.EventSourceMapping;

/// <summary>
/// Filter cases whose outcome was established against AWS: the DynamoDB stream filter cases of localstack's Lambda
/// event source mapping tests (test_lambda_integration_dynamodbstreams, marked validated against AWS: two items put,
/// which records reach the function), and the examples in the documentation of AWS's event pattern matcher
/// (aws/event-ruler), each with the events it says match and do not match.
/// </summary>
public sealed class AwsFilterSuiteTests
{
    /// <summary>A stream record as Lambda hands it to the function (and filters it): NEW_AND_OLD_IMAGES, a fractional creation time.</summary>
    private static string Record(string eventName, string newImage) => $$$"""
        {"eventID":"e1","eventName":"{{{eventName}}}","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",
         "dynamodb":{"ApproximateCreationDateTime":1733140000.123,"Keys":{"id":{"S":"id_value"}},"NewImage":{{{newImage}}},
                     "SequenceNumber":"100","SizeBytes":40,"StreamViewType":"NEW_AND_OLD_IMAGES"},
         "eventSourceARN":"arn:aws:dynamodb:us-east-1:123456789012:table/test-table/stream/2024-01-01T00:00:00.000"}
        """;

    // (first put, second put, pattern, records delivered): the first put always matches; the second may.
    public static TheoryData<string, string, string, string, int> DynamoDbCases() => new()
    {
        { "insert_same_entry_twice", Record("INSERT", """{"id":{"S":"id_value"},"id2":{"S":"id2_value"}}"""), Record("MODIFY", """{"id":{"S":"id_value"},"id2":{"S":"id2_value"}}"""), """{"eventName":["INSERT"]}""", 1 },
        { "content_or_filter", Record("INSERT", """{"id":{"S":"id_value"}}"""), Record("MODIFY", """{"id":{"S":"id_value"},"id2":{"S":"id2_new_value"}}"""), """{"eventName":["INSERT","MODIFY"]}""", 2 },
        { "content_filter_type", Record("INSERT", """{"id":{"S":"id_value_1"},"presentKey":{"S":"presentValue"}}"""), Record("INSERT", """{"id":{"S":"id_value_2"}}"""), """{"dynamodb":{"NewImage":{"presentKey":{"S":["presentValue"]}}}}""", 1 },
        { "exists_filter_type", Record("INSERT", """{"id":{"S":"id_value_1"},"presentKey":{"S":"presentValue"}}"""), Record("INSERT", """{"id":{"S":"id_value_2"}}"""), """{"dynamodb":{"NewImage":{"presentKey":{"S":[{"exists":true}]}}}}""", 1 },
        // The attribute is an object ({"S": ...}), not a leaf: exists:false lets the second record through too.
        { "exists_false_filter", Record("INSERT", """{"id":{"S":"id_value_1"}}"""), Record("INSERT", """{"id":{"S":"id_value_2"},"presentKey":{"S":"presentValue"}}"""), """{"dynamodb":{"NewImage":{"presentKey":[{"exists":false}]}}}""", 2 },
        // DynamoDB numbers are strings: numeric never matches them; anything-but "101" matches "42" and not "101".
        { "numeric_filter", Record("INSERT", """{"id":{"S":"id_value_1"},"numericFilter":{"N":"42"}}"""), Record("INSERT", """{"id":{"S":"id_value_2"},"numericFilter":{"N":"101"}}"""), """{"dynamodb":{"NewImage":{"numericFilter":{"N":[{"numeric":[">",100]},{"anything-but":"101"}]}}}}""", 1 },
        { "prefix_filter", Record("INSERT", """{"id":{"S":"id_value_1"},"prefix":{"S":"us-1-other-suffix"}}"""), Record("MODIFY", """{"id":{"S":"id_value_1"},"prefix":{"S":"other-suffix"}}"""), """{"dynamodb":{"NewImage":{"prefix":{"S":[{"prefix":"us-1"}]}}}}""", 1 },
        // ApproximateCreationDateTime is a number when filtered.
        { "date_time_conversion", Record("INSERT", """{"id":{"S":"id_value_1"}}"""), Record("INSERT", """{"id":{"S":"id_value_2"}}"""), """{"dynamodb":{"ApproximateCreationDateTime":[{"numeric":[">",0]}]}}""", 2 },
    };

    [Theory]
    [MemberData(nameof(DynamoDbCases))]
    public void DynamoDB_stream_filters_deliver_what_AWS_delivers(string name, string first, string second, string pattern, int delivered)
    {
        var filter = FilterPattern.Parse(pattern);

        var outcome = new[] { first, second }.Count(record => Matches(filter, record));

        Assert.True(delivered == outcome, $"{name}: AWS delivers {delivered}, the filter let {outcome} through");
        Assert.True(Matches(filter, first), $"{name}: the first record always matches");
    }

    [Theory]
    [InlineData("single-string")]
    [InlineData("""[{"eventName": ["INSERT"=123}]""")]
    public void Patterns_AWS_refuses_at_mapping_creation_are_refused(string pattern) =>
        Assert.Throws<FilterPatternException>(() => FilterPattern.Parse(pattern));

    // aws/event-ruler's documented examples: (rule, event, matches).
    [Theory]
    [InlineData("""{"source":[{"prefix":"EC2"}]}""", """{"source":"EC2 Instance"}""", true)]
    [InlineData("""{"source":[{"prefix":{"equals-ignore-case":"EC2"}}]}""", """{"source":"ec2 instance"}""", true)]
    [InlineData("""{"source":[{"prefix":{"equals-ignore-case":"EC2"}}]}""", """{"source":"my ec2"}""", false)]
    [InlineData("""{"source":[{"suffix":"EC2"}]}""", """{"source":"Amazon EC2"}""", true)]
    [InlineData("""{"source":[{"suffix":{"equals-ignore-case":"EC2"}}]}""", """{"source":"amazon Ec2"}""", true)]
    [InlineData("""{"source":[{"suffix":{"equals-ignore-case":"EC2"}}]}""", """{"source":"ec2 amazon"}""", false)]
    [InlineData("""{"source":[{"equals-ignore-case":"EC2"}]}""", """{"source":"eC2"}""", true)]
    [InlineData("""{"state":[{"anything-but":"initializing"}]}""", """{"state":"running"}""", true)]
    [InlineData("""{"state":[{"anything-but":"initializing"}]}""", """{"state":"initializing"}""", false)]
    [InlineData("""{"x-limit":[{"anything-but":123}]}""", """{"x-limit":124}""", true)]
    [InlineData("""{"x-limit":[{"anything-but":123}]}""", """{"x-limit":123}""", false)]
    [InlineData("""{"state":[{"anything-but":["stopped","overloaded"]}]}""", """{"state":"overloaded"}""", false)]
    [InlineData("""{"x-limit":[{"anything-but":[100,200,300]}]}""", """{"x-limit":200}""", false)]
    [InlineData("""{"x-limit":[{"anything-but":[100,200,300]}]}""", """{"x-limit":250}""", true)]
    [InlineData("""{"state":[{"anything-but":{"prefix":"init"}}]}""", """{"state":"initializing"}""", false)]
    [InlineData("""{"state":[{"anything-but":{"prefix":["init","error"]}}]}""", """{"state":"errored"}""", false)]
    [InlineData("""{"state":[{"anything-but":{"prefix":["init","error"]}}]}""", """{"state":"running"}""", true)]
    [InlineData("""{"instance-id":[{"anything-but":{"suffix":"1234"}}]}""", """{"instance-id":"i-01234"}""", false)]
    [InlineData("""{"instance-id":[{"anything-but":{"suffix":["1234","6789"]}}]}""", """{"instance-id":"i-06789"}""", false)]
    [InlineData("""{"instance-id":[{"anything-but":{"suffix":["1234","6789"]}}]}""", """{"instance-id":"i-05555"}""", true)]
    [InlineData("""{"state":[{"anything-but":{"equals-ignore-case":"Stopped"}}]}""", """{"state":"STOPPED"}""", false)]
    [InlineData("""{"state":[{"anything-but":{"equals-ignore-case":["Stopped","OverLoaded"]}}]}""", """{"state":"overloaded"}""", false)]
    [InlineData("""{"state":[{"anything-but":{"equals-ignore-case":["Stopped","OverLoaded"]}}]}""", """{"state":"running"}""", true)]
    [InlineData("""{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}""", """{"detail":{"c-count":5}}""", true)]
    [InlineData("""{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}""", """{"detail":{"c-count":0}}""", false)]
    [InlineData("""{"detail":{"x-limit":[{"numeric":["=",3.018e2]}]}}""", """{"detail":{"x-limit":301.8}}""", true)]
    [InlineData("""{"detail":{"c-count":[{"exists":true}]}}""", """{"detail":{"c-count":3}}""", true)]
    [InlineData("""{"detail":{"c-count":[{"exists":false}]}}""", """{"detail":{"state":["initializing","running"]}}""", true)]
    // exists works on leaves only: an object at the path is no leaf, so exists:false matches it and exists:true does not.
    [InlineData("""{"detail":{"c-count":[{"exists":false}]}}""", """{"detail":{"state":["initializing","running"],"c-count":{"c1":100}}}""", true)]
    [InlineData("""{"detail":{"c-count":[{"exists":true}]}}""", """{"detail":{"c-count":{"c1":100}}}""", false)]
    // An anything-but needs the field: absent, nothing is "anything but" the value.
    [InlineData("""{"state":[{"anything-but":"initializing"}]}""", """{"other":"x"}""", false)]
    [InlineData("""{"$or":[{"a":["1"]},{"b":["2"]}]}""", """{"b":"2"}""", true)]
    public void Event_ruler_documented_examples(string rule, string record, bool matches) =>
        Assert.Equal(matches, Matches(FilterPattern.Parse(rule), record));

    [Theory]
    [InlineData("""{"eventName":[]}""", "empty list of matchers")]
    [InlineData("""{"state":[{"anything-but":{"prefix":""}}]}""", "empty anything-but prefix")]
    [InlineData("""{"state":[{"anything-but":{"suffix":["a",""]}}]}""", "empty anything-but suffix")]
    [InlineData("""{"state":[{"anything-but":["a",1]}]}""", "only strings or only numbers")]
    [InlineData("""{"state":[{"anything-but":[]}]}""", "non-empty list")]
    [InlineData("""{"state":[{"anything-but":[null]}]}""", "only strings or only numbers")]
    [InlineData("""{"state":[{"anything-but":{"equals-ignore-case":[1]}}]}""", "list of strings")]
    [InlineData("""{"state":[{"prefix":{"suffix":"x"}}]}""", "equals-ignore-case")]
    [InlineData("""{"source":[{"wildcard":"Simple*Service"}]}""", "Lambda's event filtering does not offer it")]
    [InlineData("""{"ip":[{"cidr":"10.0.0.0/24"}]}""", "Lambda's event filtering does not offer it")]
    [InlineData("""{"state":[{"anything-but":{"wildcard":"*/bin/*.jar"}}]}""", "Lambda's event filtering does not offer it")]
    [InlineData("""{"detail.state":["running"]}""", "nest the fields")]
    public void Patterns_AWS_rejects_are_rejected_with_a_reason_that_says_why(string pattern, string reason)
    {
        var error = Assert.Throws<FilterPatternException>(() => FilterPattern.Parse(pattern));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    private static bool Matches(FilterPattern filter, string record)
    {
        using var doc = JsonDocument.Parse(record);
        return filter.Matches(doc.RootElement);
    }
}
