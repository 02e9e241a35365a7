namespace Serverless.Lambda.Metrics;

/// <summary>
/// A function that records metrics with dimensions of its own (the API's route templates, the data layer's operation
/// and index names) says which, once it has started; the runtime loop adds them to the fixed vocabulary.
/// </summary>
public interface IMetricDimensionSource
{
    IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> MetricDimensions { get; }
}
