using Microsoft.Extensions.Logging;

namespace Serverless.Lambda.Logging;

internal sealed class LambdaJsonLogger(string category, LambdaJsonLoggerProvider provider) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(formatter);
        provider.Write(category, logLevel, formatter(state, exception), exception);
    }
}
