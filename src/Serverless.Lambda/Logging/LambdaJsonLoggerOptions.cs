using Microsoft.Extensions.Logging;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.Logging;

public sealed class LambdaJsonLoggerOptions
{
    /// <summary>Where lines go; standard output by default, which Lambda ships to CloudWatch Logs.</summary>
    public Stream? Output { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Source of <c>SERVICE_NAME</c>, <c>AWS_LAMBDA_FUNCTION_NAME</c> and the <c>POWERTOOLS_*</c> logging settings.</summary>
    public IRuntimeEnvironment Environment { get; set; } = ProcessEnvironment.Instance;

    /// <summary>
    /// The level lines are written from; <see cref="LogLevelVariable"/> when this is not set, else Information once
    /// sampling or buffering is on. With neither set nor configured the logging framework's own filters alone decide.
    /// Lines below it are dropped, written when the invocation is sampled, or buffered (<see cref="Buffering"/>).
    /// </summary>
    public LogLevel? MinimumLevel { get; set; }

    /// <summary>
    /// The share of invocations (0.0 to 1.0) that log at Debug whatever <see cref="MinimumLevel"/> says, as Powertools'
    /// <c>SamplingRate</c>. <see cref="SampleRateVariable"/> takes precedence when it is set.
    /// </summary>
    public double? SamplingRate { get; set; }

    /// <summary>The sampler's draw in [0, 1), once per invocation; an invocation is sampled when the draw is below the rate.</summary>
    public Func<double> Sampler { get; set; } = Random.Shared.NextDouble;

    /// <summary>Lines below the level held per invocation and written only if it logs an error or fails.</summary>
    public LogBufferingOptions Buffering { get; } = new();

    /// <summary>
    /// The events (by <c>EventId.Name</c>) whose message template values are written as fields of their line, beside
    /// the message: lines written to be counted and queried (an access line, a slow operation), whose every value was
    /// chosen to be safe. Any other event's values stay in its message only.
    /// </summary>
    public ISet<string> StructuredEvents { get; } = new HashSet<string>(StringComparer.Ordinal) { AccessLogEvent, SlowOperationEvent, BatchSummaryEvent };

    /// <summary>One line per API request.</summary>
    public const string AccessLogEvent = "AccessLog";

    /// <summary>A DynamoDB call over the slow-operation threshold.</summary>
    public const string SlowOperationEvent = "SlowOperation";

    /// <summary>One line per stream batch.</summary>
    public const string BatchSummaryEvent = "BatchSummary";

    /// <summary>Powertools' variable for the level: a <see cref="LogLevel"/> name or Lambda's (<c>DEBUG</c>, <c>INFO</c>, <c>WARN</c>...).</summary>
    public const string LogLevelVariable = "POWERTOOLS_LOG_LEVEL";

    /// <summary>Powertools' variable for <see cref="SamplingRate"/>.</summary>
    public const string SampleRateVariable = "POWERTOOLS_LOGGER_SAMPLE_RATE";

    /// <summary><c>true</c> turns <see cref="Buffering"/> on, <c>false</c> off.</summary>
    public const string BufferingVariable = "POWERTOOLS_LOG_BUFFERING";

    /// <summary><see cref="LogBufferingOptions.MaxBytes"/>.</summary>
    public const string BufferMaxBytesVariable = "POWERTOOLS_LOG_BUFFERING_MAX_BYTES";

    /// <summary><see cref="LogBufferingOptions.BufferAtLevel"/>.</summary>
    public const string BufferLevelVariable = "POWERTOOLS_LOG_BUFFERING_LEVEL";

    /// <summary><see cref="LogBufferingOptions.FlushOnErrorLog"/>.</summary>
    public const string BufferFlushOnErrorVariable = "POWERTOOLS_LOG_BUFFERING_FLUSH_ON_ERROR";
}

/// <summary>
/// Powertools' log buffering: lines below the logger's level, at or above <see cref="BufferAtLevel"/>, are held per
/// invocation instead of dropped, and written (in order, with their own timestamps) when the invocation logs an error
/// or fails; an invocation that ends cleanly discards them. Nothing is buffered outside an invocation (the init phase).
/// </summary>
public sealed class LogBufferingOptions
{
    /// <summary>Off by default: a buffer costs memory and formatting on every invocation, for lines most never write.</summary>
    public bool Enabled { get; set; }

    /// <summary>The buffer's bound, counted in bytes of written lines; when full the oldest lines go (and a line says how many).</summary>
    public int MaxBytes { get; set; } = 20480;

    /// <summary>The most severe level buffered (with every level below it): Trace, Debug, Information or Warning.</summary>
    public LogLevel BufferAtLevel { get; set; } = LogLevel.Debug;

    /// <summary>
    /// An Error (or Critical) line writes the buffer out before itself. The runtime loop logs a failed invocation at
    /// Error, so this is also what writes the buffer of an invocation that fails. Off, only
    /// <see cref="LambdaLogContext.FlushBuffer"/> writes it.
    /// </summary>
    public bool FlushOnErrorLog { get; set; } = true;
}
