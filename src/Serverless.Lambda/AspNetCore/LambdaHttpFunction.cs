using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Logging;
using Serverless.Lambda.Events;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.AspNetCore;

/// <summary>An event the adapter cannot turn into a request; the message says what is missing, in the words of a problem's detail.</summary>
internal sealed class UnmappableEventException(string reason) : Exception(reason);

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
        if (TryMapRequest(json.Span, features) is { } unmappable)
        {
            // Not a request API Gateway or a load balancer would send (a direct invoke, a hand-made event): answered
            // as a bad request, never an exception out of the invocation, which would leave the caller no response.
            LogUnmappable(logger, features.Kind, unmappable);
            ProblemResponse.WriteBadEvent(features, unmappable);
            return LambdaResponseWriter.Write(features);
        }

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

        var response = LambdaResponseWriter.Write(features);
        try
        {
            await features.FireOnCompletedAsync().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The response is written: what runs after it (OnCompleted callbacks) can fail only in the log.
            LogAfterResponse(logger, exception);
        }
        finally
        {
            try
            {
                application.DisposeContext(httpContext, failure);
            }
            catch (Exception exception)
            {
                LogAfterResponse(logger, exception);
            }
        }

        // A shutdown while the app ran is not the app's failure; the bootstrap ends the loop on it.
        cancellationToken.ThrowIfCancellationRequested();
        return response;
    }

    /// <summary>Maps the event into the request features; null when it could, else why not (no values from the event).</summary>
    private static string? TryMapRequest(ReadOnlySpan<byte> json, LambdaHttpFeatures features)
    {
        features.TraceIdentifier = RequestParts.TraceIdentifier(features.LambdaContext, gatewayRequestId: null);
        try
        {
            features.Kind = HttpPayloadDetector.Detect(json);
            switch (features.Kind)
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

            RequestParts.ValidateHeaders(features.Headers);
            return null;
        }
        catch (JsonException exception)
        {
            return exception.Path is { Length: > 0 } path
                ? $"the event's {path} does not have the type an API Gateway or load balancer request gives it"
                : "the event is not a JSON object shaped like an API Gateway or load balancer request";
        }
        catch (UnmappableEventException exception)
        {
            return exception.Message;
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or NotSupportedException or InvalidOperationException)
        {
            return "the event's path, headers or query cannot be read as an HTTP request";
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in the application for a {Method} {Kind} request; answered 500")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, LambdaHttpPayloadKind kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cleaning up after the response failed; the response was sent")]
    private static partial void LogAfterResponse(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The event is not an HTTP request this function can serve ({Kind}): {Reason}; answered 400")]
    private static partial void LogUnmappable(ILogger logger, LambdaHttpPayloadKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bad request ({Status}): {Reason}")]
    private static partial void LogBadRequest(ILogger logger, int status, string reason);
}
