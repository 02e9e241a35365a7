using Microsoft.Extensions.Logging;

namespace Serverless.Lambda.Logging;

internal sealed class LambdaJsonLogger(string category, LambdaJsonLoggerProvider provider) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => provider.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(formatter);
        string message;
        try
        {
            message = formatter(state, exception);
        }
        catch (Exception formatting) when (formatting is ArgumentException or FormatException or InvalidOperationException)
        {
            // A message whose values cannot be formatted (the framework's own, over a request it did not validate) must
            // not fail what logged it: the line says so and names the event, not the values.
            message = $"A log message ({eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}) could not be formatted: {formatting.GetType().Name}";
        }

        provider.Write(category, logLevel, message, exception, provider.IsStructured(eventId) ? state as IReadOnlyList<KeyValuePair<string, object?>> : null);
    }
}
