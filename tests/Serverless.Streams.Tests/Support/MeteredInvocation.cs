using Serverless.Lambda.Metrics;
using Serverless.Lambda.Runtime;
using Serverless.Testing.Lambda;
using Serverless.Testing.Telemetry;

namespace Serverless.Streams.Tests.Support;

/// <summary>
/// Invokes a stream function as the Lambda bootstrap does with metrics on: the invocation's measurements gathered by a
/// collector, every dimension held to the function's own vocabulary (an unknown one throws here, where production
/// would count it as refused), and the embedded metric format documents written into the test process's tap, which
/// <see cref="TelemetryScanTests"/> checks against the specification after every other test.
/// </summary>
internal static class MeteredInvocation
{
    public static async ValueTask<ReadOnlyMemory<byte>> InvokeMeteredAsync(this ILambdaFunction function, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        using var metrics = new LambdaMetrics(new LambdaMetricsOptions { Output = TelemetryTap.Process.Tee(null), RefuseUnknownDimensions = true });
        if (function is IMetricDimensionSource source)
        {
            metrics.Allow(source.MetricDimensions);
        }

        using (metrics.Begin(Guid.NewGuid().ToString(), coldStart: false))
        {
            return await function.InvokeAsync(payload, TestEnvironment.Context(), ct);
        }
    }
}
