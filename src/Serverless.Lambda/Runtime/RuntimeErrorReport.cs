using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Lambda.Runtime;

/// <summary>
/// The error document the Runtime API accepts for invocation and init errors: type, message and stack of the failure,
/// its inner exception as <c>cause</c> and an aggregate's exceptions as <c>causes</c>, as AWS's .NET runtime reports
/// them; at most <see cref="MaxBytes"/> of JSON (what does not fit is left out, and the message says so). Every message,
/// here and in the X-Ray cause, goes through <see cref="Logging.ExceptionText.Redact"/>: both end up in logs and traces.
/// </summary>
public sealed class RuntimeErrorReport
{
    /// <summary>The size AWS's runtime bounds its error document to.</summary>
    public const int MaxBytes = 256 * 1024;

    private const int MaxDepth = 8;

    public required string ErrorMessage { get; init; }
    public required string ErrorType { get; init; }
    public string[] StackTrace { get; init; } = [];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RuntimeErrorReport? Cause { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RuntimeErrorReport[]? Causes { get; init; }

    public static RuntimeErrorReport From(Exception exception, string? errorType = null) => From(exception, errorType, depth: 0);

    private static RuntimeErrorReport From(Exception exception, string? errorType, int depth)
    {
        var aggregate = exception as AggregateException;
        return new RuntimeErrorReport
        {
            // Lambda prints this in the function's log and hands it to a synchronous caller: masked as log lines are.
            ErrorMessage = Logging.ExceptionText.Redact(exception.Message),
            ErrorType = errorType ?? (exception as LambdaRuntimeException)?.ErrorType ?? exception.GetType().Name,
            StackTrace = exception.StackTrace?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            // An aggregate's first inner exception is its InnerException too: reported once, in causes.
            Cause = depth < MaxDepth && aggregate is null && exception.InnerException is { } inner ? From(inner, null, depth + 1) : null,
            Causes = depth < MaxDepth && aggregate is { InnerExceptions.Count: > 0 } ? [.. aggregate.InnerExceptions.Select(e => From(e, null, depth + 1))] : null,
        };
    }

    /// <summary>The document as JSON within <see cref="MaxBytes"/>: causes, then stacks, then the message's length give way.</summary>
    public byte[] ToJson()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this, RuntimeJsonContext.Default.RuntimeErrorReport);
        if (json.Length <= MaxBytes)
        {
            return json;
        }

        var trimmed = new RuntimeErrorReport { ErrorType = ErrorType, ErrorMessage = ErrorMessage, StackTrace = StackTrace };
        json = JsonSerializer.SerializeToUtf8Bytes(trimmed, RuntimeJsonContext.Default.RuntimeErrorReport);
        if (json.Length <= MaxBytes)
        {
            return json;
        }

        var message = ErrorMessage.Length > 4096 ? ErrorMessage[..4096] : ErrorMessage;
        return JsonSerializer.SerializeToUtf8Bytes(
            new RuntimeErrorReport { ErrorType = ErrorType, ErrorMessage = message + " (the error report exceeded 256 KB; its stack and causes were left out)" },
            RuntimeJsonContext.Default.RuntimeErrorReport);
    }

    /// <summary>
    /// The <c>Lambda-Runtime-Function-XRay-Error-Cause</c> header: the failure as an X-Ray segment's cause (working
    /// directory, the exception with its stack frames, the source paths), on one line and under 1 MB as a header must
    /// be; null when it would not fit.
    /// </summary>
    public static string? XRayCause(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var frames = new StackTrace(exception, fNeedFileInfo: true).GetFrames() ?? [];
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("working_directory", Environment.CurrentDirectory);
            json.WriteStartArray("exceptions");
            json.WriteStartObject();
            json.WriteString("type", exception.GetType().Name);
            json.WriteString("message", Logging.ExceptionText.Redact(exception.Message));
            json.WriteStartArray("stack");
            var paths = new List<string>();
            foreach (var frame in frames)
            {
                json.WriteStartObject();
                if (frame.GetFileName() is { Length: > 0 } file)
                {
                    json.WriteString("path", file);
                    json.WriteNumber("line", frame.GetFileLineNumber());
                    if (!paths.Contains(file, StringComparer.Ordinal))
                    {
                        paths.Add(file);
                    }
                }

                json.WriteString("label", Label(frame));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartArray("paths");
            foreach (var path in paths)
            {
                json.WriteStringValue(path);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        // Utf8JsonWriter escapes control characters, so the document has no line break a header could not carry.
        return buffer.Length < 1024 * 1024 ? Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) : null;
    }

    /// <summary>The frame's method as Native AOT keeps it (no reflection metadata needed); unknown where it kept none.</summary>
    private static string Label(StackFrame frame) =>
        DiagnosticMethodInfo.Create(frame) is { } method
            ? (method.DeclaringTypeName is { Length: > 0 } type ? $"{SimpleName(type)}.{method.Name}" : method.Name)
            : "unknown";

    /// <summary>The type's own name, as AWS's runtime labels a frame (<c>Type.Method</c>), without namespace or outer types.</summary>
    private static string SimpleName(string typeName)
    {
        var generic = typeName.IndexOf('[', StringComparison.Ordinal);
        var name = generic >= 0 ? typeName[..generic] : typeName;
        var cut = name.LastIndexOfAny(['.', '+']);
        return cut >= 0 ? name[(cut + 1)..] : name;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RuntimeErrorReport))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
