using System.Text.Json.Serialization;

namespace Serverless.Lambda.Runtime;

/// <summary>The error document the Runtime API accepts for invocation and init errors.</summary>
public sealed class RuntimeErrorReport
{
    public required string ErrorMessage { get; init; }
    public required string ErrorType { get; init; }
    public string[] StackTrace { get; init; } = [];

    public static RuntimeErrorReport From(Exception exception, string? errorType = null) => new()
    {
        // Lambda prints this in the function's log and hands it to a synchronous caller: masked as log lines are.
        ErrorMessage = Logging.ExceptionText.Redact(exception.Message),
        ErrorType = errorType ?? (exception as LambdaRuntimeException)?.ErrorType ?? exception.GetType().Name,
        StackTrace = exception.StackTrace?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RuntimeErrorReport))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
