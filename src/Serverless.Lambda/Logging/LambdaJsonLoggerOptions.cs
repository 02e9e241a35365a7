using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.Logging;

public sealed class LambdaJsonLoggerOptions
{
    /// <summary>Where lines go; standard output by default, which Lambda ships to CloudWatch Logs.</summary>
    public Stream? Output { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Source of <c>SERVICE_NAME</c> and <c>AWS_LAMBDA_FUNCTION_NAME</c>.</summary>
    public IRuntimeEnvironment Environment { get; set; } = ProcessEnvironment.Instance;

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
}
