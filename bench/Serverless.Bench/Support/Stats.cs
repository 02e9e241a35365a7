namespace Serverless.Bench.Support;

/// <summary>Order statistics of a sample: medians and tails, never means (a noisy 2-core machine has outliers).</summary>
public sealed class Stats
{
    private readonly double[] _sorted;

    public Stats(IEnumerable<double> values)
    {
        _sorted = values.Order().ToArray();
        if (_sorted.Length == 0)
        {
            throw new ArgumentException("No values to summarise.", nameof(values));
        }
    }

    public int Count => _sorted.Length;

    public double Min => _sorted[0];

    public double Max => _sorted[^1];

    public double Median => Percentile(50);

    public double P90 => Percentile(90);

    public double P99 => Percentile(99);

    /// <summary>Linear interpolation between closest ranks.</summary>
    public double Percentile(double p)
    {
        if (_sorted.Length == 1)
        {
            return _sorted[0];
        }

        var rank = p / 100 * (_sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, _sorted.Length - 1);
        return _sorted[low] + (_sorted[high] - _sorted[low]) * (rank - low);
    }
}
