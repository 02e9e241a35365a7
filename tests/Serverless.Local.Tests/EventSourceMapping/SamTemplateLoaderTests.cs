using System.Text.Json;
using Serverless.Local.EventSourceMapping;
using Serverless.Local.Tests.Support;
using Xunit;

namespace Serverless.Local.Tests.EventSourceMapping;

public sealed class SamTemplateLoaderTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly string _template = TestPaths.TestData("stream-functions.template.yaml");

    [Fact]
    public async Task Reads_every_dynamodb_event_of_every_function_with_its_settings()
    {
        var mappings = await SamTemplateLoader.LoadFileAsync(_template, ct: _ct);

        Assert.Equal(["AuditFunction/TableStream", "PurgeFunction/TtlDeletions"], mappings.Select(m => $"{m.FunctionName}/{m.EventName}"));
        var audit = mappings[0];
        Assert.Equal("Audit", audit.Handler);
        Assert.Equal("Table", audit.TableLogicalId);
        Assert.Equal("local-data", audit.TableName);
        Assert.Equal(StartingPosition.TrimHorizon, audit.StartingPosition);
        Assert.Equal(25, audit.BatchSize);
        Assert.Equal(TimeSpan.FromSeconds(2), audit.MaximumBatchingWindow);
        Assert.True(audit.ReportBatchItemFailures);
        Assert.True(audit.BisectBatchOnFunctionError);
        Assert.Equal(3, audit.MaximumRetryAttempts);
        Assert.Equal(3600, audit.MaximumRecordAgeInSeconds);
        Assert.Equal("StreamFailures", audit.OnFailureDestination);
        Assert.Equal(2, audit.Filters.Count);
    }

    [Fact]
    public async Task Unset_settings_take_lambdas_defaults_and_the_handler_comes_from_globals()
    {
        var purge = (await SamTemplateLoader.LoadFileAsync(_template, ct: _ct)).Single(m => m.FunctionName == "PurgeFunction");

        Assert.Equal("bootstrap", purge.Handler);
        Assert.Equal("Table", purge.TableLogicalId);
        Assert.Equal(StartingPosition.Latest, purge.StartingPosition);
        Assert.Equal(100, purge.BatchSize);
        Assert.Equal(TimeSpan.Zero, purge.MaximumBatchingWindow);
        Assert.False(purge.ReportBatchItemFailures);
        Assert.False(purge.BisectBatchOnFunctionError);
        Assert.Equal(-1, purge.MaximumRetryAttempts);
        Assert.Equal(-1, purge.MaximumRecordAgeInSeconds);
        Assert.Null(purge.OnFailureDestination);
        Assert.True(purge.Enabled);
    }

    [Fact]
    public async Task Parameter_overrides_drive_conditions_and_refs()
    {
        var mappings = await SamTemplateLoader.LoadFileAsync(_template, new Dictionary<string, string> { ["Stage"] = "prod", ["AuditBatchSize"] = "7" }, _ct);

        var audit = mappings.Single(m => m.FunctionName == "AuditFunction");
        Assert.Equal(7, audit.BatchSize);
        Assert.Equal(10, audit.MaximumRetryAttempts);
        Assert.Contains(mappings, m => m.FunctionName == "ProdOnlyFunction");
    }

    [Fact]
    public async Task The_templates_filter_patterns_are_compiled_and_applied()
    {
        var audit = (await SamTemplateLoader.LoadFileAsync(_template, ct: _ct)).Single(m => m.FunctionName == "AuditFunction");
        using var order = JsonDocument.Parse("""{"eventName":"INSERT","dynamodb":{"NewImage":{"entityType":{"S":"Order"}}}}""");
        using var product = JsonDocument.Parse("""{"eventName":"INSERT","dynamodb":{"NewImage":{"entityType":{"S":"Product"}}}}""");
        using var userRemoved = JsonDocument.Parse("""{"eventName":"REMOVE","dynamodb":{"OldImage":{"entityType":{"S":"User"}}}}""");

        Assert.True(FilterPattern.AnyMatches(audit.Filters, order.RootElement));
        Assert.False(FilterPattern.AnyMatches(audit.Filters, product.RootElement));
        Assert.True(FilterPattern.AnyMatches(audit.Filters, userRemoved.RootElement));
    }

    [Theory]
    [InlineData("StartingPosition: AT_TIMESTAMP", "StartingPosition")]
    [InlineData("BatchSize: 0", "BatchSize must be 1 to 10000")]
    [InlineData("BatchSize: lots", "BatchSize: expected a whole number")]
    [InlineData("MaximumRecordAgeInSeconds: 30", "MaximumRecordAgeInSeconds")]
    [InlineData("FunctionResponseTypes: [Everything]", "ReportBatchItemFailures")]
    [InlineData("BatchSize: !ImportValue Shared-BatchSize", "!ImportValue")]
    [InlineData("FilterCriteria: { Filters: [ { Pattern: '{\"eventName\": \"INSERT\"}' } ] }", "Filters[0].Pattern")]
    [InlineData("ParallelizationFactor: 11", "ParallelizationFactor must be 1 to 10")]
    [InlineData("ParallelizationFactor: 0", "ParallelizationFactor must be 1 to 10")]
    [InlineData("TumblingWindowInSeconds: 60", "tumbling windows are not emulated")]
    public void A_setting_lambda_would_reject_fails_the_load_and_names_the_event(string line, string expected)
    {
        var yaml = $"""
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Events:
                    S:
                      Type: DynamoDB
                      Properties:
                        Stream: !GetAtt Table.StreamArn
                        StartingPosition: TRIM_HORIZON
                        {line}
            """;
        yaml = yaml.Replace("StartingPosition: TRIM_HORIZON\n            StartingPosition", "StartingPosition", StringComparison.Ordinal);

        var error = Assert.Throws<SamTemplateException>(() => SamTemplateLoader.Load(yaml));

        Assert.Contains("Fn.Events.S", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_parallelization_factor_is_read_from_the_template_and_defaults_to_one()
    {
        const string yaml = """
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: x
                  Events:
                    Parallel:
                      Type: DynamoDB
                      Properties:
                        Stream: !GetAtt Table.StreamArn
                        StartingPosition: TRIM_HORIZON
                        ParallelizationFactor: 10
                    Serial:
                      Type: DynamoDB
                      Properties:
                        Stream: !GetAtt Table.StreamArn
                        StartingPosition: TRIM_HORIZON
            """;

        var settings = SamTemplateLoader.Load(yaml);

        Assert.Equal(10, settings.Single(s => s.EventName == "Parallel").ParallelizationFactor);
        Assert.Equal(1, settings.Single(s => s.EventName == "Serial").ParallelizationFactor);
    }

    [Fact]
    public void A_literal_stream_arn_names_the_table()
    {
        const string yaml = """
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: x
                  Events:
                    S:
                      Type: DynamoDB
                      Properties:
                        Stream: arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000
                        StartingPosition: LATEST
                        Enabled: false
            """;

        var mapping = Assert.Single(SamTemplateLoader.Load(yaml));

        Assert.Equal("Orders", mapping.TableName);
        Assert.Null(mapping.TableLogicalId);
        Assert.False(mapping.Enabled);
    }
}
