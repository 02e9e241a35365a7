namespace Serverless.Lambda.Metrics;

/// <summary>
/// The metrics of a function's invocations: a collector per invocation (current on the invocation's async flow), a
/// <c>ColdStart</c> count on the first, and one flush when the invocation ends, as embedded metric format lines on
/// standard output. Nothing is written for an invocation that recorded nothing.
/// </summary>
public sealed class LambdaMetrics : IDisposable
{
    public const string ColdStartMetric = "ColdStart";

    private readonly LambdaMetricsOptions options;
    private readonly Stream output;
    private readonly bool ownsOutput;
    private readonly TimeProvider clock;
    private readonly IReadOnlyList<KeyValuePair<string, string>> defaultDimensions;
    private readonly Lock writeLock = new();

    [ThreadStatic]
    private static EmfLines? flushLines;

    public LambdaMetrics(LambdaMetricsOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        this.clock = clock ?? TimeProvider.System;
        ownsOutput = options.Output is null;
        output = options.Output ?? Console.OpenStandardOutput();
        Vocabulary = options.Vocabulary.With([new(LambdaMetricsOptions.ServiceDimension, [options.Service])]);
        defaultDimensions = [new(LambdaMetricsOptions.ServiceDimension, options.Service)];
        MeterBridge.EnsureStarted();
    }

    public MetricDimensionVocabulary Vocabulary { get; private set; }

    /// <summary>Adds a started function's own dimensions (see <see cref="IMetricDimensionSource"/>).</summary>
    public void Allow(IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> dimensions) => Vocabulary = Vocabulary.With(dimensions);

    /// <summary>Starts an invocation's metrics; disposing the scope writes them.</summary>
    public IDisposable Begin(string requestId, bool coldStart)
    {
        if (!options.Enabled)
        {
            return NoScope.Instance;
        }

        var collector = new MetricsCollector(Vocabulary, defaultDimensions, options.RefuseUnknownDimensions);
        if (coldStart)
        {
            collector.Add(ColdStartMetric, MetricUnit.Count, 1);
        }

        return new InvocationScope(this, collector, InvocationMetrics.Begin(collector), requestId);
    }

    /// <summary>Writes the collector's documents, one line each, in one write per line so they never interleave with logs.</summary>
    internal void Flush(MetricsCollector collector, string requestId)
    {
        if (collector.IsEmpty)
        {
            return;
        }

        // Flushing never awaits, so a thread's buffer is its own for the whole flush and is kept for the next one.
        var lines = flushLines ??= new EmfLines(keepTemplates: true);
        EmfDocumentWriter.WriteLines(collector, options.Namespace, clock.GetUtcNow(), [new("function_request_id", requestId)], lines);
        lock (writeLock)
        {
            for (var i = 0; i < lines.Count; i++)
            {
                output.Write(lines.Line(i));
            }

            output.Flush();
        }

        lines.Clear();
    }

    public void Dispose()
    {
        if (ownsOutput)
        {
            output.Dispose();
        }
    }

    private sealed class InvocationScope(LambdaMetrics owner, MetricsCollector collector, IDisposable current, string requestId) : IDisposable
    {
        public void Dispose()
        {
            current.Dispose();
            owner.Flush(collector, requestId);
        }
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }
}
