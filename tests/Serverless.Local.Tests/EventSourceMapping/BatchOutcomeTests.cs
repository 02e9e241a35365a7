using System.Text;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Tests.Support;
using Xunit;

namespace Serverless.Local.Tests.EventSourceMapping;

/// <summary>How a function's response is read with ReportBatchItemFailures on, per Lambda's documented rules.</summary>
public sealed class BatchOutcomeTests
{
    private static readonly string[] Batch = ["100", "200", "300"];

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("""{"batchItemFailures":null}""")]
    [InlineData("""{"batchItemFailures":[]}""")]
    public void Empty_or_null_failure_lists_mean_the_whole_batch_succeeded(string response) =>
        Assert.IsType<BatchOutcome.Success>(Read(response));

    [Fact]
    public void Retrying_starts_at_the_lowest_failed_record()
    {
        var outcome = Read("""{"batchItemFailures":[{"itemIdentifier":"300"},{"itemIdentifier":"200"}]}""");

        Assert.Equal(1, Assert.IsType<BatchOutcome.Partial>(outcome).FirstFailedIndex);
    }

    [Theory]
    [InlineData("""{"batchItemFailures":[{"itemIdentifier":""}]}""")]
    [InlineData("""{"batchItemFailures":[{"itemIdentifier":null}]}""")]
    [InlineData("""{"batchItemFailures":[{}]}""")]
    [InlineData("""{"batchItemFailures":[{"itemIdentifier":"999"}]}""")]
    [InlineData("""{"batchItemFailures":[null]}""")]
    [InlineData("not json")]
    public void An_empty_unknown_or_unreadable_identifier_fails_the_whole_batch(string response)
    {
        var failed = Assert.IsType<BatchOutcome.Failed>(Read(response));
        Assert.False(failed.FunctionError);
    }

    [Fact]
    public void The_published_partial_response_sample_is_read()
    {
        var sample = File.ReadAllText(TestPaths.TestData("samples", "dynamodb-batchitemfailures-response.json"));

        var outcome = BatchOutcome.FromResponse(Encoding.UTF8.GetBytes(sample.TrimStart('\uFEFF')), ["1", "1405400000000002063282832"]);

        Assert.Equal(1, Assert.IsType<BatchOutcome.Partial>(outcome).FirstFailedIndex);
    }

    private static BatchOutcome Read(string response) => BatchOutcome.FromResponse(Encoding.UTF8.GetBytes(response), Batch);
}
