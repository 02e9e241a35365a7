using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Lambda.Logging;

public static class LambdaJsonLoggingExtensions
{
    /// <summary>
    /// Structured JSON lines (timestamp, level, message, service, cold_start, function_name, function_request_id, xray_trace_id,
    /// name, exception) on Lambda and on Kestrel alike. Other providers are removed so every line of the output
    /// stays one parseable JSON object. With a level, sampling or buffering configured, the framework's minimum level
    /// is lowered (never raised) to what they may write, and the logger filters the rest itself; the framework's rules
    /// per category (<c>Logging:LogLevel:Microsoft.AspNetCore</c>) still apply first.
    /// </summary>
    public static ILoggingBuilder AddLambdaJsonLogging(this ILoggingBuilder builder, Action<LambdaJsonLoggerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new LambdaJsonLoggerOptions();
        configure?.Invoke(options);
        builder.ClearProviders();
        builder.Services.AddSingleton<ILoggerProvider>(_ => new LambdaJsonLoggerProvider(options));
        var policy = LogLevelPolicy.From(options);
        if (policy.FiltersItself)
        {
            var lowest = policy.Lowest;
            builder.Services.Configure<LoggerFilterOptions>(filter =>
            {
                if (lowest < filter.MinLevel)
                {
                    filter.MinLevel = lowest;
                }
            });
        }

        return builder;
    }
}
