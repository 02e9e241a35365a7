using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Lambda.Logging;

public static class LambdaJsonLoggingExtensions
{
    /// <summary>
    /// Structured JSON lines (timestamp, level, message, service, cold_start, function_name, function_request_id, xray_trace_id,
    /// name, exception) on Lambda and on Kestrel alike. Other providers are removed so every line of the output
    /// stays one parseable JSON object.
    /// </summary>
    public static ILoggingBuilder AddLambdaJsonLogging(this ILoggingBuilder builder, Action<LambdaJsonLoggerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new LambdaJsonLoggerOptions();
        configure?.Invoke(options);
        builder.ClearProviders();
        builder.Services.AddSingleton<ILoggerProvider>(_ => new LambdaJsonLoggerProvider(options));
        return builder;
    }
}
