using System.Text.RegularExpressions;
using Serverless.Api.Infrastructure.Http;
using Serverless.Data.Client;
using Serverless.Lambda.Batch;
using Serverless.Lambda.Metrics;
using YamlDotNet.RepresentationModel;
using static Serverless.Template.Tests.SamTemplate;

namespace Serverless.Template.Tests;

/// <summary>
/// The alarms and the dashboard read the metrics the functions write: the same namespace, names and dimension sets as
/// the code's, so a metric renamed in code (or a dimension added) fails here rather than leaving an alarm that never fires.
/// </summary>
public sealed partial class ObservabilityTemplateTests
{
    private static readonly SamTemplate Template = Load();

    private static YamlMappingNode? GlobalVariables => Map(Map(Template.Globals, "Environment"), "Variables");

    private static string Namespace => SamTemplate.Scalar(GlobalVariables, LambdaMetricsOptions.NamespaceVariable)!;

    private static string Service => SamTemplate.Scalar(GlobalVariables, LambdaMetricsOptions.ServiceVariable)!;

    [Fact]
    public void Every_alarm_on_the_functions_own_metrics_names_a_metric_and_dimension_set_the_code_writes()
    {
        // Metric -> the dimension sets (besides Service) it is written with.
        var written = new Dictionary<string, string[][]>(StringComparer.Ordinal)
        {
            [RequestMetrics.LatencyMetric] = [[], [RequestMetrics.RouteDimension, RequestMetrics.StatusClassDimension]],
            [RequestMetrics.RequestsMetric] = [[], [RequestMetrics.StatusClassDimension], [RequestMetrics.RouteDimension, RequestMetrics.StatusClassDimension]],
            [DynamoDbTelemetry.ThrottlesMetric] = [[], [DynamoDbTelemetry.OperationDimension, DynamoDbTelemetry.IndexDimension]],
            [StreamMetricNames.BatchItemFailures] = [[]],
        };

        var alarms = Template.Resources.Children
            .Where(r => SamTemplate.Scalar(r.Value, "Type") == "AWS::CloudWatch::Alarm")
            .ToDictionary(r => ((YamlScalarNode)r.Key).Value!, r => Map(r.Value, "Properties")!);
        var ours = alarms.SelectMany(a => MetricsOf(a.Value).Select(m => (Alarm: a.Key, Metric: m))).Where(m => m.Metric.Namespace == Namespace).ToList();

        Assert.Equal(
            ["Api5xxRateAlarm", "ApiLatencyP99Alarm", "DynamoDbThrottlesAlarm", "StreamItemFailuresAlarm"],
            ours.Select(m => m.Alarm).Distinct().Order(StringComparer.Ordinal));
        foreach (var (alarm, metric) in ours)
        {
            Assert.True(written.TryGetValue(metric.Name, out var sets), $"{alarm} watches {metric.Name}, which no code writes");
            Assert.Equal(Service, metric.Dimensions.GetValueOrDefault(LambdaMetricsOptions.ServiceDimension));
            var others = metric.Dimensions.Keys.Where(k => k != LambdaMetricsOptions.ServiceDimension).Order(StringComparer.Ordinal).ToArray();
            Assert.True(sets.Any(s => s.Order(StringComparer.Ordinal).SequenceEqual(others)), $"{alarm} reads {metric.Name} by [{string.Join(", ", others)}], a set it is not written with");
            if (metric.Dimensions.TryGetValue(RequestMetrics.StatusClassDimension, out var statusClass))
            {
                Assert.Contains(statusClass, RequestMetrics.StatusClasses);
            }
        }
    }

    [Fact]
    public void The_dashboard_searches_only_metric_names_and_dimensions_the_code_writes()
    {
        // DashboardBody: !Sub [body, variables]
        var body = ((YamlScalarNode)Seq(Map(Map(Template.Resources, "Dashboard"), "Properties"), "DashboardBody")!.Children[0]).Value!;
        var known = new HashSet<string>(StringComparer.Ordinal)
        {
            RequestMetrics.LatencyMetric, RequestMetrics.RequestsMetric, RequestMetrics.ReadCapacityMetric, RequestMetrics.WriteCapacityMetric,
            DynamoDbTelemetry.ThrottlesMetric, StreamMetricNames.RecordsProcessed, StreamMetricNames.BatchItemFailures, "SlowDynamoDbOperations",
        };
        var searched = SearchedName().Matches(body).Select(m => m.Groups["name"].Value).ToList();
        Assert.NotEmpty(searched);
        Assert.All(searched, name => Assert.Contains(name, known));
        foreach (Match schema in SearchedSchema().Matches(body))
        {
            var dimensions = schema.Groups["dims"].Value.Split(',').Skip(1).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(Namespace, schema.Groups["dims"].Value.Split(',')[0]);
            Assert.Contains(LambdaMetricsOptions.ServiceDimension, dimensions);
            Assert.Contains(RequestMetrics.RouteDimension, dimensions);
        }

        var listed = ListedMetric().Matches(body).Select(m => m.Groups["name"].Value);
        Assert.All(listed, name => Assert.Contains(name, known));
    }

    [Fact]
    public void The_slow_operation_metric_filter_matches_the_line_the_data_layer_writes()
    {
        var pattern = SamTemplate.Scalar(Map(Map(Template.Resources, "ApiSlowOperationsFilter"), "Properties"), "FilterPattern")!;
        Assert.Contains("$.name = \"Serverless.Data.DynamoDb\"", pattern, StringComparison.Ordinal);
        Assert.Contains("$.level = \"WARN\"", pattern, StringComparison.Ordinal);
        Assert.Contains(new DynamoDbOperation { Operation = "Query", Index = "table", Duration = TimeSpan.FromSeconds(1) }.LogState(), f => f.Key == "duration_ms");
    }

    private static IEnumerable<(string Namespace, string Name, Dictionary<string, string> Dimensions)> MetricsOf(YamlMappingNode alarm)
    {
        if (SamTemplate.Scalar(alarm, "MetricName") is { } name)
        {
            yield return (SamTemplate.Scalar(alarm, "Namespace")!, name, DimensionsOf(Seq(alarm, "Dimensions")));
        }

        foreach (var query in Seq(alarm, "Metrics")?.Children.OfType<YamlMappingNode>() ?? [])
        {
            if (Map(Map(query, "MetricStat"), "Metric") is { } metric)
            {
                yield return (SamTemplate.Scalar(metric, "Namespace")!, SamTemplate.Scalar(metric, "MetricName")!, DimensionsOf(Seq(metric, "Dimensions")));
            }
        }
    }

    private static Dictionary<string, string> DimensionsOf(YamlSequenceNode? dimensions) =>
        (dimensions?.Children.OfType<YamlMappingNode>() ?? []).ToDictionary(d => SamTemplate.Scalar(d, "Name")!, d => SamTemplate.Scalar(d, "Value")!, StringComparer.Ordinal);

    [GeneratedRegex(@"MetricName=\\+""(?<name>[A-Za-z]+)\\+""")]
    private static partial Regex SearchedName();

    [GeneratedRegex(@"SEARCH\('\{(?<dims>[A-Za-z,]+)\}")]
    private static partial Regex SearchedSchema();

    [GeneratedRegex(@"\[""Serverless"", ""(?<name>[A-Za-z]+)""")]
    private static partial Regex ListedMetric();
}
