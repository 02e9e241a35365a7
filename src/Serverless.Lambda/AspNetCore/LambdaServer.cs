using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.AspNetCore;

/// <summary>
/// The <see cref="IServer"/> that replaces Kestrel on Lambda: it opens no socket; starting the host hands it the
/// app's request pipeline, which <see cref="Function"/> then feeds with Lambda events.
/// </summary>
public sealed class LambdaServer(ILoggerFactory loggerFactory) : IServer
{
    private ILambdaFunction? function;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    /// <summary>The started app as a Lambda function (raw HTTP event in, response document out).</summary>
    public ILambdaFunction Function =>
        function ?? throw new InvalidOperationException("The web application has not been started yet.");

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        function = new LambdaHttpFunction<TContext>(application, loggerFactory.CreateLogger<LambdaServer>());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
