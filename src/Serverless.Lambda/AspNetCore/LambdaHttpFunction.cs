using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Logging;
using Serverless.Lambda.Events;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.AspNetCore;

/// <summary>
/// Runs one HTTP event through the app's request pipeline in memory, as Kestrel would run a request off a socket,
/// and turns what the app produced into the response document of the event's format.
/// </summary>
internal sealed partial class LambdaHttpFunction<TContext>(IHttpApplication<TContext> application, ILogger logger) : ILambdaFunction
    where TContext : notnull
{
    public async ValueTask<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
    {
        var json = Utf8Bom.Skip(payload);
        var features = new LambdaHttpFeatures(json, context, cancellationToken);
        MapRequest(json.Span, features);

        var httpContext = application.CreateContext(features);
        Exception? failure = null;
        try
        {
            await application.ProcessRequestAsync(httpContext).ConfigureAwait(false);
            await features.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            failure = exception;
            var status = ProblemResponse.StatusFor(exception);
            if (status >= 500)
            {
                LogUnhandled(logger, exception, features.Method, features.Kind);
            }
            else
            {
                LogBadRequest(logger, status, exception.Message);
            }

            ProblemResponse.Write(features, status, exception);
        }

        ReadOnlyMemory<byte> response;
        try
        {
            response = LambdaResponseWriter.Write(features);
            await features.FireOnCompletedAsync().ConfigureAwait(false);
        }
        finally
        {
            application.DisposeContext(httpContext, failure);
        }

        // A shutdown while the app ran is not the app's failure; the bootstrap ends the loop on it.
        cancellationToken.ThrowIfCancellationRequested();
        return response;
    }

    private static void MapRequest(ReadOnlySpan<byte> json, LambdaHttpFeatures features)
    {
        switch (HttpPayloadDetector.Detect(json))
        {
            case LambdaHttpPayloadKind.HttpApiV2:
                HttpApiRequestMapper.Map(LambdaEventSerializer.Deserialize(json, LambdaJsonContext.Default.HttpApiRequest), features);
                break;
            case LambdaHttpPayloadKind.ApplicationLoadBalancer:
                AlbRequestMapper.Map(LambdaEventSerializer.Deserialize(json, LambdaJsonContext.Default.AlbRequest), features);
                break;
            default:
                RestApiRequestMapper.Map(LambdaEventSerializer.Deserialize(json, LambdaJsonContext.Default.RestApiRequest), features);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in the application for a {Method} {Kind} request; answered 500")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, LambdaHttpPayloadKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bad request ({Status}): {Reason}")]
    private static partial void LogBadRequest(ILogger logger, int status, string reason);
}
