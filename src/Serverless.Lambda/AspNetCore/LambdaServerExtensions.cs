using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.AspNetCore;

public static class LambdaServerExtensions
{
    /// <summary>
    /// Serve the app from Lambda events instead of Kestrel when running inside Lambda (<c>AWS_LAMBDA_RUNTIME_API</c>
    /// set, read through configuration, which includes the environment); elsewhere nothing changes, so one Program runs on both. <paramref name="always"/> forces the Lambda server,
    /// for in-process invocation outside Lambda (local invoke, tests).
    /// </summary>
    public static WebApplicationBuilder UseLambdaServer(this WebApplicationBuilder builder, bool always = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!always && string.IsNullOrEmpty(builder.Configuration[LambdaEnvironmentVariables.RuntimeApi]))
        {
            return builder;
        }

        builder.Services.RemoveAll<IServer>();
        builder.Services.AddSingleton<LambdaServer>();
        builder.Services.AddSingleton<IServer>(services => services.GetRequiredService<LambdaServer>());
        return builder;
    }

    /// <summary>
    /// Starts the app (Lambda's init phase) and returns it as a function. Disposing the function stops the app.
    /// </summary>
    public static async Task<ILambdaFunction> StartLambdaFunctionAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        var server = app.Services.GetService<IServer>() as LambdaServer
            ?? throw new InvalidOperationException("The app is not served by the Lambda server; call builder.UseLambdaServer(always: true) first.");
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new WebApplicationFunction(app, server.Function);
    }

    private sealed class WebApplicationFunction(WebApplication app, ILambdaFunction inner) : ILambdaFunction, IAsyncDisposable
    {
        public ValueTask<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) =>
            inner.InvokeAsync(payload, context, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
