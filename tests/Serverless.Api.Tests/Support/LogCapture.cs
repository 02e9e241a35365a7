using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Serverless.Api.Tests.Support;

/// <summary>
/// Keeps what the app logs in memory: by default its warnings and errors, so a failing test can show what the server
/// logged; from a lower <see cref="MinimumLevel"/> everything down to it, scopes and structured values included,
/// so a test can prove what never reaches a log.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<string> Entries { get; } = new();

    /// <summary>Set before the host starts; the host's own filter must let the same levels through.</summary>
    public LogLevel MinimumLevel { get; set; } = LogLevel.Warning;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            // Scopes carry request data (path, trace id); below Information they are part of what is being checked.
            if (capture.MinimumLevel <= LogLevel.Debug)
            {
                capture.Entries.Enqueue($"Scope {category}: {state} {Values(state)}");
            }

            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel >= capture.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                capture.Entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {Values(state)} {exception}");
            }
        }

        // The structured values, which a JSON log sink would write even when the message template leaves them out.
        private static string Values<TState>(TState state) =>
            state is IEnumerable<KeyValuePair<string, object?>> values
                ? string.Join(" ", values.Select(v => v.Key + "=" + v.Value))
                : "";
    }
}
