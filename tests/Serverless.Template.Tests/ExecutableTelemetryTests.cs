using System.Text.Json.Nodes;

namespace Serverless.Template.Tests;

/// <summary>The Lambda executable's feature switches keep what its telemetry runs on.</summary>
public sealed class ExecutableTelemetryTests
{
    [Fact]
    public void The_lambda_executable_keeps_system_diagnostics_metrics_which_every_emf_metric_of_ours_goes_through()
    {
        // The executable's own runtime configuration, built beside this test (it references Serverless.Functions); a
        // Native AOT publish compiles the same switches in. With the Meter switch off, MeterListener (the layer's
        // MeterBridge) receives nothing, and DynamoDbLatency, KmsLatency, the cache's metrics and the rest vanish.
        var path = Path.Combine(AppContext.BaseDirectory, "bootstrap.runtimeconfig.json");
        var properties = JsonNode.Parse(File.ReadAllText(path))!["runtimeOptions"]!["configProperties"]!.AsObject();

        Assert.NotEmpty(properties);
        Assert.False(
            properties.TryGetPropertyValue("System.Diagnostics.Metrics.Meter.IsSupported", out var meters) && meters?.GetValue<bool>() == false,
            "bootstrap turns System.Diagnostics.Metrics off (MetricsSupport=false): no metric of ours would reach EMF.");
    }
}
