using Microsoft.Extensions.Logging;
using Serverless.Lambda.Logging;

namespace Serverless.Local.Telemetry;

/// <summary>
/// One short line per API request in the stack's output, from the API's own access line (the <c>AccessLog</c> event):
/// method, route template, status, duration and DynamoDB capacity. Only those values are read, so no path, query or
/// caller ever reaches it; every other event is ignored.
/// </summary>
public sealed class RequestSummaryLoggerProvider(TextWriter output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new SummaryLogger(output);

    public void Dispose()
    {
    }

    /// <summary>The line for one request, from the access line's values.</summary>
    public static string Line(IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        object? Value(string name) => values.FirstOrDefault(v => v.Key == name).Value;
        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"[api] {Value("method")} {Value("route")} {Value("status")} in {Value("duration_ms")} ms, {Value("read_capacity")} RCU, {Value("write_capacity")} WCU");
    }

    private sealed class SummaryLogger(TextWriter output) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel == LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name == LambdaJsonLoggerOptions.AccessLogEvent && state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                output.WriteLine(Line(values));
            }
        }
    }
}
