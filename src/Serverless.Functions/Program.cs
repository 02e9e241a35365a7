using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Serverless.Functions;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Metrics;
using Serverless.Lambda.Runtime;
using Serverless.Lambda.Tracing;

var environment = ProcessEnvironment.Instance;
var runtimeApi = environment.GetVariable(LambdaEnvironmentVariables.RuntimeApi);
if (string.IsNullOrEmpty(runtimeApi))
{
    await Console.Error.WriteLineAsync(
        $"{LambdaEnvironmentVariables.RuntimeApi} is not set: this executable runs inside AWS Lambda. " +
        "To run a function locally use src/Serverless.Local.");
    return 2;
}

using var loggerFactory = LoggerFactory.Create(logging => logging.AddLambdaJsonLogging());
using var client = new RuntimeApiClient(runtimeApi);
using var metrics = new LambdaMetrics(LambdaMetricsOptions.From(environment));
var runtimeLog = loggerFactory.CreateLogger("Serverless.Lambda.Runtime");
using var tracer = CreateTracer(environment, runtimeLog);
var bootstrap = new LambdaBootstrap(client, environment, TimeProvider.System, runtimeLog, metrics, tracer);

// Lambda sends SIGTERM before shutting an environment down (when extensions are registered): finish cleanly.
using var shutdown = new CancellationTokenSource();
using var onSigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
{
    signal.Cancel = true;
    shutdown.Cancel();
});

var handler = environment.GetVariable(LambdaEnvironmentVariables.Handler);
var options = new FunctionOptions { Args = args };
try
{
    return await bootstrap.RunAsync(
        cancellationToken => FunctionCatalog.Registry.CreateAsync(handler, options, cancellationToken),
        shutdown.Token);
}
catch (HttpRequestException exception)
{
    // Without the Runtime API nothing can be reported any more; exiting lets Lambda start a fresh environment.
    runtimeLog.LogCritical(exception, "Lost the Lambda Runtime API");
    return 1;
}

// With Tracing: Active, Lambda runs the X-Ray daemon and names its address; without it, no span is even made.
static XRayTracer? CreateTracer(IRuntimeEnvironment environment, ILogger log)
{
    try
    {
        return XRayTracer.FromEnvironment(environment);
    }
    catch (Exception e) when (e is FormatException or System.Net.Sockets.SocketException)
    {
        log.LogWarning("{Variable} is not a usable address ({Error}); spans are not sent", XRayDaemonAddress.Variable, e.GetType().Name);
        return null;
    }
}
