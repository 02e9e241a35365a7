using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Serverless.Lambda.AspNetCore;
using Serverless.Lambda.Runtime;

namespace Serverless.Bench.Adapter;

/// <summary>
/// The baseline of the adapter benchmark: an <see cref="IServer"/> that hands a request straight to the app's
/// pipeline, as the adapter does, with the adapter's own one-object feature set (the leanest server-side request
/// we have), but with no event JSON to read and no response JSON to write. The difference is the translation.
/// </summary>
public sealed class InProcessServer(ILambdaContext lambdaContext) : IServer
{
    private Func<string, Task<int>>? _send;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        _send = async path =>
        {
            var features = new LambdaHttpFeatures(ReadOnlyMemory<byte>.Empty, lambdaContext, CancellationToken.None)
            {
                Method = "GET",
                Path = path,
                RawTarget = path,
                TraceIdentifier = "bench-request",
            };
            features.Headers.Host = "abcdef1234.execute-api.us-east-1.amazonaws.com";
            var context = application.CreateContext(features);
            try
            {
                await application.ProcessRequestAsync(context);
                await features.CompleteAsync();
                await features.FireOnCompletedAsync();
            }
            finally
            {
                application.DisposeContext(context, null);
            }

            return features.StatusCode;
        };
        return Task.CompletedTask;
    }

    public Task<int> SendAsync(string path) =>
        (_send ?? throw new InvalidOperationException("The app has not been started.")).Invoke(path);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
