using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Serverless.Functions;
using Serverless.Lambda.Logging;
using Serverless.Lambda.Metrics;
using Serverless.Lambda.Runtime;

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
var bootstrap = new LambdaBootstrap(client, environment, TimeProvider.System, loggerFactory.CreateLogger("Serverless.Lambda.Runtime"), metrics);

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
    loggerFactory.CreateLogger("Serverless.Lambda.Runtime").LogCritical(exception, "Lost the Lambda Runtime API");
    return 1;
}
