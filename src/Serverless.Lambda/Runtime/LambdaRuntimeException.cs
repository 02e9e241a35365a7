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

/// <summary>
/// The Runtime API answered a call with an error status. 4xx: that call was refused (the loop can go on); 5xx: the
/// Runtime API is in a state it cannot recover from, and the runtime should exit.
/// </summary>
public class RuntimeApiException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public bool IsRecoverable => StatusCode is >= 400 and < 500;
}

/// <summary>The invocation's response is larger than Lambda accepts; reported as that invocation's error.</summary>
public sealed class ResponseTooLargeException(int size)
    : RuntimeApiException(413, $"Response payload size ({size} bytes) exceeded maximum allowed payload size ({RuntimeApiClient.MaxResponseBytes} bytes).")
{
    /// <summary>The error type Lambda itself gives a response over its limit.</summary>
    public const string ErrorType = "Function.ResponseSizeTooLarge";

    public int Size { get; } = size;
}
