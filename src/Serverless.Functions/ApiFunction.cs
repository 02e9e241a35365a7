using Microsoft.Extensions.DependencyInjection;
using Serverless.Api;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Api.Infrastructure.Http;
using Serverless.Data.Caching;
using Serverless.Data.Client;
using Serverless.Data.Privacy;
using Serverless.Lambda.Metrics;
using Microsoft.AspNetCore.Routing;
using Serverless.Lambda.AspNetCore;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Runtime;

namespace Serverless.Functions;

/// <summary>The HTTP API: the same app as on Kestrel, served from API Gateway events.</summary>
public static class ApiFunction
{
    public static async ValueTask<ILambdaFunction> CreateAsync(FunctionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = ApiApp.CreateBuilder(options.Args);
        builder.UseLambdaServer(always: true);
        // What the API checks before it trusts the caller the adapter built from the event's authorizer.
        builder.Services.AddSingleton<IHostOriginReader, LambdaHostOrigins>();
        builder.Logging.AddLambdaJsonLogging(options.ConfigureLogging);
        options.ConfigureHost?.Invoke(builder);

        var app = ApiApp.Build(builder);
        try
        {
            var function = await app.StartLambdaFunctionAsync(cancellationToken).ConfigureAwait(false);
            // The metric dimensions the API records with: its route templates and status classes, the data layer's
            // operations and indexes, the keyring's KMS operations. Closed sets, taken once the app's routes exist.
            var dimensions = RequestMetrics.DimensionsOf(app.Services.GetRequiredService<EndpointDataSource>())
                .Concat(DynamoDbTelemetry.MetricDimensions)
                .Concat(KmsTelemetry.MetricDimensions)
                .Concat(CacheTelemetry.MetricDimensions)
                .ToList();
            return new MeasuredFunction(function, dimensions);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class MeasuredFunction(ILambdaFunction inner, IReadOnlyList<KeyValuePair<string, IReadOnlyCollection<string>>> dimensions)
        : ILambdaFunction, IMetricDimensionSource, IAsyncDisposable
    {
        public IEnumerable<KeyValuePair<string, IReadOnlyCollection<string>>> MetricDimensions => dimensions;

        public ValueTask<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) =>
            inner.InvokeAsync(payload, context, cancellationToken);

        public ValueTask DisposeAsync() => inner is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
    }
}
