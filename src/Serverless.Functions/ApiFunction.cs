using Microsoft.Extensions.DependencyInjection;
using Serverless.Api;
using Serverless.Api.Infrastructure.Auth;
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
            return await app.StartLambdaFunctionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
