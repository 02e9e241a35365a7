using Serverless.Testing.Telemetry;
using Xunit;

namespace Serverless.Api.Tests;

[CollectionDefinition(TelemetryScanCollection.Name, DisableParallelization = true)]
public sealed class TelemetryScanCollectionDefinition;

/// <summary>
/// After every other test of the assembly (see <see cref="TelemetryScanCollection"/>): no log line, EMF document or
/// metric the tests made the code write holds a value of the tests' PII or a token. Run alone, it fails: it saw nothing.
/// </summary>
[Collection(TelemetryScanCollection.Name)]
public sealed class TelemetryScanTests
{
    [Fact]
    public void No_log_line_or_metric_written_during_the_tests_holds_their_PII_or_a_token()
    {
        var result = TelemetryScan.Run(TelemetryTap.Process);
        TestContext.Current.TestOutputHelper?.WriteLine("Telemetry scan: " + result);
        var problems = TelemetryScanCheck.Problems(result, minimumLogLines: 1000, minimumMeasurements: 1000, minimumSecrets: 100);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Every_EMF_document_written_during_the_tests_meets_the_specification()
    {
        var problems = TelemetryScanCheck.EmfProblems(TelemetryTap.Process, minimumDocuments: 1);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
