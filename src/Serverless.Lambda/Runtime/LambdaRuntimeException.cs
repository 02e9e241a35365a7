namespace Serverless.Lambda.Runtime;

/// <summary>A failure with its own Runtime API error type (the recommended <c>Category.Reason</c> form).</summary>
public class LambdaRuntimeException(string errorType, string message) : Exception(message)
{
    public string ErrorType { get; } = errorType;
}

/// <summary><c>_HANDLER</c> names no function this executable knows.</summary>
public sealed class UnknownHandlerException(string? handler, IEnumerable<string> knownHandlers)
    : LambdaRuntimeException(
        "Runtime.NoSuchHandler",
        $"Unknown handler '{handler}'. Set the function's Handler ({LambdaEnvironmentVariables.Handler}) to one of: {string.Join(", ", knownHandlers)}.")
{
    public string? Handler { get; } = handler;
}
