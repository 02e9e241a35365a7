using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Serverless.Lambda.Logging;

/// <summary>
/// What a logger writes, buffers or drops, resolved once from its options and the <c>POWERTOOLS_*</c> variables. A
/// variable that is set takes precedence over the option (as Powertools' environment does over its attribute), and
/// one that cannot be read is ignored with a warning: for the sampling rate that means no sampling at all.
/// </summary>
internal sealed class LogLevelPolicy
{
    /// <summary>The level written from; <see cref="LogLevel.Trace"/> leaves the choice to the framework's filters.</summary>
    public LogLevel MinimumLevel { get; private init; } = LogLevel.Trace;

    /// <summary>0 when no invocation is sampled.</summary>
    public double SamplingRate { get; private init; }

    public bool Buffering { get; private init; }

    public int BufferMaxBytes { get; private init; }

    public LogLevel BufferAtLevel { get; private init; }

    public bool FlushOnErrorLog { get; private init; }

    /// <summary>Why a setting was ignored, in words an operator can act on.</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    /// <summary>Whether sampling or buffering or an explicit level asks the logger to filter by itself.</summary>
    public bool FiltersItself { get; private init; }

    /// <summary>The least severe level that can ever be written: what the framework's filter must let through to this logger.</summary>
    public LogLevel Lowest
    {
        get
        {
            var lowest = MinimumLevel;
            if (SamplingRate > 0 && LogLevel.Debug < lowest)
            {
                lowest = LogLevel.Debug;
            }

            if (Buffering && BufferAtLevel < lowest)
            {
                lowest = BufferAtLevel;
            }

            return lowest;
        }
    }

    public static LogLevelPolicy From(LambdaJsonLoggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var environment = options.Environment;
        var warnings = new List<string>();

        var level = options.MinimumLevel;
        if (environment.GetVariable(LambdaJsonLoggerOptions.LogLevelVariable) is { Length: > 0 } levelText && options.MinimumLevel is null)
        {
            level = ParseLevel(levelText) ?? Warn<LogLevel?>(warnings, $"{LambdaJsonLoggerOptions.LogLevelVariable} '{Clip(levelText)}' is not a log level (Trace, Debug, Information, Warning, Error, Critical, None); ignored.", null);
        }

        var rate = SamplingRateOf(options.SamplingRate, environment.GetVariable(LambdaJsonLoggerOptions.SampleRateVariable), warnings);

        var buffering = options.Buffering;
        var enabled = buffering.Enabled;
        if (environment.GetVariable(LambdaJsonLoggerOptions.BufferingVariable) is { Length: > 0 } enabledText)
        {
            enabled = bool.TryParse(enabledText.Trim(), out var on)
                ? on
                : Warn(warnings, $"{LambdaJsonLoggerOptions.BufferingVariable} '{Clip(enabledText)}' is neither true nor false; ignored.", enabled);
        }

        var maxBytes = buffering.MaxBytes;
        if (environment.GetVariable(LambdaJsonLoggerOptions.BufferMaxBytesVariable) is { Length: > 0 } bytesText)
        {
            maxBytes = int.TryParse(bytesText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
                ? bytes
                : Warn(warnings, $"{LambdaJsonLoggerOptions.BufferMaxBytesVariable} '{Clip(bytesText)}' is not a positive number of bytes; ignored.", maxBytes);
        }

        if (maxBytes <= 0)
        {
            maxBytes = Warn(warnings, $"The log buffer's size ({maxBytes} bytes) is not positive; {new LogBufferingOptions().MaxBytes} bytes used.", new LogBufferingOptions().MaxBytes);
        }

        var bufferAt = buffering.BufferAtLevel;
        if (environment.GetVariable(LambdaJsonLoggerOptions.BufferLevelVariable) is { Length: > 0 } bufferText)
        {
            bufferAt = ParseLevel(bufferText) is { } parsed
                ? parsed
                : Warn(warnings, $"{LambdaJsonLoggerOptions.BufferLevelVariable} '{Clip(bufferText)}' is not a log level; ignored.", bufferAt);
        }

        if (bufferAt > LogLevel.Warning)
        {
            // Errors are what writes a buffer out; holding them back would hide the very line that matters.
            bufferAt = Warn(warnings, $"Log lines at {bufferAt} are never buffered; buffering at Warning and below.", LogLevel.Warning);
        }

        var flushOnError = buffering.FlushOnErrorLog;
        if (environment.GetVariable(LambdaJsonLoggerOptions.BufferFlushOnErrorVariable) is { Length: > 0 } flushText)
        {
            flushOnError = bool.TryParse(flushText.Trim(), out var flush)
                ? flush
                : Warn(warnings, $"{LambdaJsonLoggerOptions.BufferFlushOnErrorVariable} '{Clip(flushText)}' is neither true nor false; ignored.", flushOnError);
        }

        var filtersItself = level is not null || rate > 0 || enabled;
        return new LogLevelPolicy
        {
            MinimumLevel = level ?? (filtersItself ? LogLevel.Information : LogLevel.Trace),
            SamplingRate = rate,
            Buffering = enabled,
            BufferMaxBytes = maxBytes,
            BufferAtLevel = bufferAt,
            FlushOnErrorLog = flushOnError,
            Warnings = warnings,
            FiltersItself = filtersItself,
        };
    }

    /// <summary>The variable when it is set (an unreadable one disables sampling), else the option; out of [0, 1] disables it too.</summary>
    private static double SamplingRateOf(double? option, string? variable, List<string> warnings)
    {
        double rate;
        string source;
        if (variable is { Length: > 0 })
        {
            source = $"{LambdaJsonLoggerOptions.SampleRateVariable} '{Clip(variable)}'";
            if (!double.TryParse(variable.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out rate))
            {
                warnings.Add($"{source} is not a number between 0.0 and 1.0; no invocation is sampled.");
                return 0;
            }
        }
        else if (option is { } given)
        {
            rate = given;
            source = $"The sampling rate {given.ToString(CultureInfo.InvariantCulture)}";
        }
        else
        {
            return 0;
        }

        if (!double.IsFinite(rate) || rate < 0 || rate > 1)
        {
            warnings.Add($"{source} is outside 0.0 to 1.0; no invocation is sampled.");
            return 0;
        }

        return rate;
    }

    /// <summary>A <see cref="LogLevel"/> name, or one of the names Lambda's own log-level setting uses.</summary>
    internal static LogLevel? ParseLevel(string text) => text.Trim().ToUpperInvariant() switch
    {
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "INFO" or "INFORMATION" => LogLevel.Information,
        "WARN" or "WARNING" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        "FATAL" or "CRITICAL" => LogLevel.Critical,
        "NONE" => LogLevel.None,
        _ => null,
    };

    private static T Warn<T>(List<string> warnings, string warning, T fallback)
    {
        warnings.Add(warning);
        return fallback;
    }

    // A setting is configuration, not data; still, a warning quotes no more of it than a reader needs to recognise it.
    private static string Clip(string text) => text.Length <= 32 ? text : text[..32] + "…";
}
