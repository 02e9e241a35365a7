using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Serverless.Local.Telemetry;

/// <summary>
/// <c>GET /metrics</c> on a loopback port of its own: the stack's <see cref="LocalMetrics"/> as JSON. Apart from the
/// API, so the API's routes (and the route dimension's values) stay exactly those deployed.
/// </summary>
public sealed class LocalTelemetryServer : IAsyncDisposable
{
    public const string MetricsPath = "/metrics";

    private readonly WebApplication app;

    private LocalTelemetryServer(WebApplication app, Uri metricsUrl)
    {
        this.app = app;
        MetricsUrl = metricsUrl;
    }

    public Uri MetricsUrl { get; }

    internal static WebApplicationBuilder CreateBuilder() => WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = LocalEnvironment.HostArguments });

    public static async Task<LocalTelemetryServer> StartAsync(LocalMetrics metrics, int port, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var builder = CreateBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet(MetricsPath, () => Results.Json(metrics.Snapshot(), LocalMetricsJsonContext.Default.IReadOnlyListMetricSeries));
        await app.StartAsync(ct);
        return new LocalTelemetryServer(app, new Uri(new Uri(app.Urls.First()), MetricsPath));
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
