using System.Text.RegularExpressions;
using Serverless.Api.Infrastructure.Http;
using Serverless.Data.Caching;
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
    public void The_dashboard_searches_only_metric_names_and_dimension_sets_the_code_writes()
    {
        // Metric -> the dimension sets (besides Service) a SEARCH of the dashboard may name.
        var written = new Dictionary<string, string[][]>(StringComparer.Ordinal)
        {
            [RequestMetrics.LatencyMetric] = [[RequestMetrics.RouteDimension, RequestMetrics.StatusClassDimension]],
            [RequestMetrics.RequestsMetric] = [[RequestMetrics.RouteDimension, RequestMetrics.StatusClassDimension]],
            [RequestMetrics.ReadCapacityMetric] = [[RequestMetrics.RouteDimension]],
            [RequestMetrics.WriteCapacityMetric] = [[RequestMetrics.RouteDimension]],
            [CacheTelemetry.HitsMetric] = [[CacheTelemetry.CacheDimension]],
            [CacheTelemetry.MissesMetric] = [[CacheTelemetry.CacheDimension]],
            [CacheTelemetry.ErrorsMetric] = [[CacheTelemetry.CacheDimension]],
        };
        var listedOnly = new HashSet<string>(StringComparer.Ordinal)
        {
            DynamoDbTelemetry.ThrottlesMetric, StreamMetricNames.RecordsProcessed, StreamMetricNames.BatchItemFailures, "SlowDynamoDbOperations",
        };
        var body = DashboardBody(out _);

        var searches = SearchedMetric().Matches(body).ToList();
        Assert.NotEmpty(searches);
        foreach (var search in searches)
        {
            var name = search.Groups["name"].Value;
            var schema = search.Groups["dims"].Value.Split(',');
            Assert.Equal(Namespace, schema[0]);
            Assert.Contains(LambdaMetricsOptions.ServiceDimension, schema);
            Assert.True(written.TryGetValue(name, out var sets), $"the dashboard searches {name}, which no code writes by a dimension set");
            var others = schema.Skip(1).Where(d => d != LambdaMetricsOptions.ServiceDimension).Order(StringComparer.Ordinal).ToArray();
            Assert.True(sets.Any(s => s.Order(StringComparer.Ordinal).SequenceEqual(others)), $"the dashboard searches {name} by [{string.Join(", ", others)}], a set it is not written with");
        }

        Assert.Contains(searches, s => s.Groups["name"].Value == CacheTelemetry.HitsMetric);
        var listed = ListedMetric().Matches(body).Select(m => m.Groups["name"].Value);
        Assert.All(listed, name => Assert.Contains(name, listedOnly));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_dashboard_body_is_json_with_and_without_the_cache(bool cache)
    {
        var body = DashboardBody(out var variables);
        // What CloudFormation substitutes: the template's variables (the cache's line, or nothing), then the stack's values.
        // CacheIteratorAge: !If [HasCache, !Sub '<line>', '']
        var cacheLine = (YamlSequenceNode)variables.Children[new YamlScalarNode("CacheIteratorAge")];
        Assert.Equal("!If", cacheLine.Tag.Value);
        Assert.Equal("HasCache", ((YamlScalarNode)cacheLine[0]).Value);
        var fragment = ((YamlScalarNode)cacheLine[cache ? 1 : 2]).Value!;
        var text = body.Replace("${CacheIteratorAge}", fragment, StringComparison.Ordinal);
        text = Regex.Replace(text, @"\$\{[A-Za-z:]+\}", "x");

        using var document = System.Text.Json.JsonDocument.Parse(text);
        var lambdaLines = document.RootElement.GetProperty("widgets").EnumerateArray()
            .SelectMany(w => w.GetProperty("properties").GetProperty("metrics").EnumerateArray())
            .Count(m => m[0].ValueKind == System.Text.Json.JsonValueKind.String && m[0].GetString() == "AWS/Lambda");
        Assert.Equal(cache ? 4 : 3, lambdaLines);
    }

    /// <summary>DashboardBody: <c>!Sub [body, variables]</c>.</summary>
    private static string DashboardBody(out YamlMappingNode variables)
    {
        var sub = Seq(Map(Map(Template.Resources, "Dashboard"), "Properties"), "DashboardBody")!;
        variables = (YamlMappingNode)sub.Children[1];
        return ((YamlScalarNode)sub.Children[0]).Value!;
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

    [GeneratedRegex(@"SEARCH\('\{(?<dims>[A-Za-z,]+)\} MetricName=\\+""(?<name>[A-Za-z]+)\\+""")]
    private static partial Regex SearchedMetric();

    [GeneratedRegex(@"\[""Serverless"", ""(?<name>[A-Za-z]+)""")]
    private static partial Regex ListedMetric();
}
