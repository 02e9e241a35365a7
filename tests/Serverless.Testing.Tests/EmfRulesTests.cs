using System.Text;
using Serverless.Testing.Metrics;

namespace Serverless.Testing.Tests;

/// <summary>The EMF check the test assemblies hold the functions' documents to: it accepts the specification's shape and names what breaks it.</summary>
public sealed class EmfRulesTests
{
    private const string Valid = """
        {"_aws":{"Timestamp":1764720000000,"CloudWatchMetrics":[{"Namespace":"Serverless","Dimensions":[["Service","Route"]],
        "Metrics":[{"Name":"ApiLatency","Unit":"Milliseconds","StorageResolution":60}]}]},"Service":"serverless","Route":"/users/{id}","ApiLatency":[1.5,2.5]}
        """;

    [Fact]
    public void A_document_of_the_specifications_shape_has_no_problem() => Assert.Empty(EmfRules.Problems(Encoding.UTF8.GetBytes(Valid)));

    [Fact]
    public void A_dimension_without_its_member_is_named()
    {
        var document = Valid.Replace("\"Route\":\"/users/{id}\",", "", StringComparison.Ordinal);
        Assert.Contains("Dimension 'Route' has no string member in the root.", EmfRules.Problems(Encoding.UTF8.GetBytes(document)));
    }

    [Fact]
    public void A_metric_of_more_than_a_hundred_values_is_named()
    {
        var document = Valid.Replace("[1.5,2.5]", "[" + string.Join(",", Enumerable.Repeat("1", 101)) + "]", StringComparison.Ordinal);
        Assert.Contains("Metric 'ApiLatency' has 101 values (1 to 100 allowed).", EmfRules.Problems(Encoding.UTF8.GetBytes(document)));
    }

    [Fact]
    public void A_document_without_the_metadata_fails_the_schema()
    {
        var problems = EmfRules.Problems("""{"Service":"serverless","ApiLatency":1}"""u8);
        Assert.Contains(problems, p => p.StartsWith("Not an EMF document", StringComparison.Ordinal));
    }
}
