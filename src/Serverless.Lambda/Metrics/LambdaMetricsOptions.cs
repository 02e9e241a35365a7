namespace Serverless.Lambda.Metrics;

public sealed class LambdaMetricsOptions
{
    /// <summary>The variable naming the CloudWatch namespace (as Powertools names it).</summary>
    public const string NamespaceVariable = "POWERTOOLS_METRICS_NAMESPACE";

    /// <summary>The variable naming the service, the one dimension every metric carries (shared with the logger).</summary>
    public const string ServiceVariable = "SERVICE_NAME";

    /// <summary>The variable that turns the metrics off ("true"), as Powertools' <c>POWERTOOLS_METRICS_DISABLED</c>.</summary>
    public const string DisabledVariable = "POWERTOOLS_METRICS_DISABLED";

    public const string DefaultNamespace = "Serverless";

    public const string ServiceDimension = "Service";

    public string Namespace { get; set; } = DefaultNamespace;

    /// <summary>The value of the <see cref="ServiceDimension"/> dimension; a deployment setting, not a request's.</summary>
    public string Service { get; set; } = Logging.LambdaJsonLoggerProvider.DefaultServiceName;

    /// <summary>Where documents go: standard output by default, where Lambda's log agent reads embedded metrics.</summary>
    public Stream? Output { get; set; }

    /// <summary>Names and values a dimension may take, beyond those the function adds when it starts.</summary>
    public MetricDimensionVocabulary Vocabulary { get; set; } = MetricDimensionVocabulary.Empty;

    /// <summary>
    /// A dimension outside the vocabulary throws <see cref="MetricDimensionException"/> (tests) instead of being
    /// dropped and counted in <see cref="MetricsCollector.RefusedMetricName"/> (production).
    /// </summary>
    public bool RefuseUnknownDimensions { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>The options from the Lambda environment: namespace, service and the off switch.</summary>
    public static LambdaMetricsOptions From(Runtime.IRuntimeEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var options = new LambdaMetricsOptions();
        if (environment.GetVariable(NamespaceVariable) is { Length: > 0 } ns)
        {
            options.Namespace = ns;
        }

        if (environment.GetVariable(ServiceVariable) is { Length: > 0 } service)
        {
            options.Service = service;
        }

        options.Enabled = !string.Equals(environment.GetVariable(DisabledVariable), "true", StringComparison.OrdinalIgnoreCase);
        return options;
    }
}
