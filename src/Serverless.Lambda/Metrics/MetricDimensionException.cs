namespace Serverless.Lambda.Metrics;

/// <summary>
/// A dimension outside the fixed vocabulary (an unknown name, or a value that is not one of its name's values). Thrown
/// only where <see cref="LambdaMetricsOptions.RefuseUnknownDimensions"/> is on (the tests); in production the
/// measurement is dropped and counted instead, so a coding slip costs a data point, not a request.
/// </summary>
public sealed class MetricDimensionException : Exception
{
    public MetricDimensionException()
    {
    }

    public MetricDimensionException(string message)
        : base(message)
    {
    }

    public MetricDimensionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
