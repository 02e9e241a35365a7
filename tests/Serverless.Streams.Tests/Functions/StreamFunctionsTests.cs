using Serverless.Lambda.Runtime;
using Serverless.Streams.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Streams.Tests.Functions;

/// <summary>The functions as the Lambda executable builds them: from environment variables, raw event bytes in and out.</summary>
public sealed class StreamFunctionsTests(DynamoDbLocalFixture dynamo)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public static TheoryData<string, string> FunctionsAndSamples() => new()
    {
        { StreamFunctions.Audit, Samples.StreamEvent },
        { StreamFunctions.Audit, Samples.TimeWindowEvent },
        { StreamFunctions.Denormalize, Samples.StreamEvent },
        { StreamFunctions.Denormalize, Samples.TimeWindowEvent },
        { StreamFunctions.Purge, Samples.StreamEvent },
        { StreamFunctions.Purge, Samples.TimeWindowEvent },
    };

    [Theory]
    [MemberData(nameof(FunctionsAndSamples))]
    public async Task Each_function_built_from_the_environment_accepts_the_published_samples_and_skips_their_foreign_records(string name, string sample)
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var function = await StreamFunctions.CreateFromEnvironmentAsync(name, Environment(table.Name), options => options.Output = Serverless.Testing.Telemetry.TelemetryTap.Process.Tee(null), _ct);
        try
        {
            var response = await function.InvokeMeteredAsync(Samples.Bytes(sample), _ct);

            // Records of another table's items (no entityType) are not failures: nothing to retry, nothing written.
            Assert.Equal("""{"batchItemFailures":[]}""", System.Text.Encoding.UTF8.GetString(response.Span));
            Assert.Empty(await table.AllItemsAsync(_ct));
        }
        finally
        {
            await ((IAsyncDisposable)function).DisposeAsync();
        }
    }

    [Fact]
    public void The_audit_retention_is_read_from_the_environment()
    {
        var environment = Environment("t", ("AUDIT_RETENTION_DAYS", "30"));

        var settings = StreamFunctionSettings.FromEnvironment(environment);

        Assert.Equal(TimeSpan.FromDays(30), settings.Table.AuditRetention);
        Assert.Equal("t", settings.Table.TableName);
        Assert.Equal(TimeSpan.FromDays(365), StreamFunctionSettings.FromEnvironment(Environment("t")).Table.AuditRetention);
    }

    [Theory]
    [InlineData("AUDIT_RETENTION_DAYS", "0")]
    [InlineData("AUDIT_RETENTION_DAYS", "a year")]
    [InlineData("DENORMALIZE_MAX_PARALLEL_WRITES", "-2")]
    public void An_unusable_setting_fails_the_functions_init(string variable, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => StreamFunctionSettings.FromEnvironment(Environment("t", (variable, value))));

        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_function_name_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            StreamFunctions.CreateFromEnvironmentAsync("Archive", Environment("t"), options => options.Output = Serverless.Testing.Telemetry.TelemetryTap.Process.Tee(null), _ct).AsTask());
    }

    private TestEnvironment Environment(string tableName, params (string Name, string Value)[] extra)
    {
        var variables = new Dictionary<string, string?>
        {
            ["TABLE_NAME"] = tableName,
            ["DYNAMODB_ENDPOINT"] = dynamo.ServiceUrl.ToString(),
        };
        foreach (var (name, value) in extra)
        {
            variables[name] = value;
        }

        return new TestEnvironment(variables);
    }
}
