using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Metrics;
using Serverless.Lambda.Tracing;

namespace Serverless.Lambda.Runtime;

/// <summary>
/// The custom-runtime loop: initialize the function once (a failure is reported as an init error and ends the
/// process), then fetch, invoke and answer events until cancelled. A failing invocation is reported as that
/// invocation's error and the loop goes on, as Lambda expects.
/// </summary>
public sealed class LambdaBootstrap
{
    private readonly RuntimeApiClient client;
    private readonly IRuntimeEnvironment environment;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly FunctionSettings settings;
    private readonly LambdaMetrics? metrics;
    private readonly XRayTracer? tracer;
    private bool coldStart = true;

    /// <param name="metrics">When given, each invocation's metrics are collected and written once it ends.</param>
    /// <param name="tracer">When given, the spans of each sampled invocation go to the X-Ray daemon as subsegments.</param>
    public LambdaBootstrap(
        RuntimeApiClient client, IRuntimeEnvironment environment, TimeProvider clock, ILogger? logger = null, LambdaMetrics? metrics = null, XRayTracer? tracer = null)
    {
        this.client = client;
        this.environment = environment;
        this.clock = clock;
        this.logger = logger ?? NullLogger.Instance;
        this.metrics = metrics;
        this.tracer = tracer;
        settings = FunctionSettings.From(environment);
    }

    /// <returns>The process exit code: 0 after a requested shutdown, 1 after an init error.</returns>
    public async Task<int> RunAsync(Func<CancellationToken, ValueTask<ILambdaFunction>> initialize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(initialize);
        ILambdaFunction function;
        try
        {
            function = await initialize(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception exception)
        {
            logger.LogCritical(exception, "Function initialization failed");
            await client.SendInitErrorAsync(RuntimeErrorReport.From(exception), cancellationToken, RuntimeErrorReport.XRayCause(exception)).ConfigureAwait(false);
            return 1;
        }

        if (metrics is not null && function is IMetricDimensionSource source)
        {
            metrics.Allow(source.MetricDimensions);
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await ProcessNextInvocationAsync(function, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            if (function is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits for one event, runs the function on it and reports the outcome.</summary>
    public async Task ProcessNextInvocationAsync(ILambdaFunction function, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        var invocation = await client.GetNextInvocationAsync(cancellationToken).ConfigureAwait(false);

        // The AWS SDK and X-Ray read the trace from the environment; a missing header must not leave the previous one.
        environment.SetVariable(LambdaEnvironmentVariables.TraceId, invocation.TraceId);
        var context = new LambdaContext(clock)
        {
            AwsRequestId = invocation.RequestId,
            InvokedFunctionArn = invocation.InvokedFunctionArn,
            TraceId = invocation.TraceId,
            Deadline = invocation.Deadline,
            FunctionName = settings.FunctionName,
            FunctionVersion = settings.FunctionVersion,
            MemoryLimitInMB = settings.MemoryLimitInMB,
            LogGroupName = settings.LogGroupName,
            LogStreamName = settings.LogStreamName,
            ClientContext = invocation.ClientContext,
            CognitoIdentity = invocation.CognitoIdentity,
        };

        using var logScope = LambdaLogContext.Begin(invocation.RequestId, invocation.TraceId, coldStart);
        using var traceScope = tracer?.Begin(invocation.TraceId);
        var metricsScope = metrics?.Begin(invocation.RequestId, coldStart);
        coldStart = false;

        ReadOnlyMemory<byte> response;
        try
        {
            try
            {
                response = await function.InvokeAsync(invocation.Payload, context, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Written once, as the function ends and before its answer goes out, whichever way it ended.
                metricsScope?.Dispose();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            // A failed invocation writes what it held back, whether or not an error line flushes the buffer.
            LambdaLogContext.FlushBuffer();
            logger.LogError(exception, "Invocation failed");
            await ReportAsync(invocation.RequestId, RuntimeErrorReport.From(exception), RuntimeErrorReport.XRayCause(exception), cancellationToken)
                .ConfigureAwait(false);
            return;
        }

        try
        {
            await client.SendResponseAsync(invocation.RequestId, response, cancellationToken).ConfigureAwait(false);
        }
        catch (ResponseTooLargeException tooLarge)
        {
            // Lambda would refuse it (or did, with 413): the invocation failed, the function did not; on to the next.
            logger.LogError("The response ({Size} bytes) is larger than Lambda accepts ({Limit} bytes); reported as the invocation's error", tooLarge.Size, RuntimeApiClient.MaxResponseBytes);
            await ReportAsync(invocation.RequestId, RuntimeErrorReport.From(tooLarge, ResponseTooLargeException.ErrorType), null, cancellationToken).ConfigureAwait(false);
        }
        catch (RuntimeApiException refused) when (refused.IsRecoverable)
        {
            logger.LogError("The Runtime API refused the response ({Status}); going on to the next invocation", refused.StatusCode);
        }
    }

    /// <summary>Reports an invocation's error; a refusal (4xx, e.g. the invocation already counts as failed) is logged, not fatal.</summary>
    private async Task ReportAsync(string requestId, RuntimeErrorReport report, string? xrayCause, CancellationToken cancellationToken)
    {
        try
        {
            await client.SendInvocationErrorAsync(requestId, report, cancellationToken, xrayCause).ConfigureAwait(false);
        }
        catch (RuntimeApiException refused) when (refused.IsRecoverable)
        {
            logger.LogError("The Runtime API refused the invocation's error report ({Status}); going on to the next invocation", refused.StatusCode);
        }
    }
}
