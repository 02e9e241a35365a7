using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Serverless.Lambda.Logging;

/// <summary>
/// One JSON object per line with the fields CloudWatch Logs Insights queries and Lambda tooling expect. Only the
/// formatted message, the category and exception details are written: never scope or state values, which can carry
/// request paths, headers or claims. An exception is written as its type, its message through
/// <see cref="ExceptionText.Redact"/> (item keys, emails and attribute values masked) and its stack trace, and the
/// types of the exceptions it wraps. The events named in <see cref="LambdaJsonLoggerOptions.StructuredEvents"/> also
/// get their template values as fields; a <c>CorrelationId</c> in a logger scope (the API's) becomes <c>correlation_id</c>,
/// and so does the <c>eventID</c> of the stream record being handled (<see cref="LambdaLogContext.BeginRecord"/>), with its
/// <c>sequence_number</c>. Below <see cref="LambdaJsonLoggerOptions.MinimumLevel"/> a line is dropped, written when the
/// invocation is sampled (<see cref="LambdaJsonLoggerOptions.SamplingRate"/>), or held in the invocation's buffer
/// (<see cref="LambdaJsonLoggerOptions.Buffering"/>) until an error writes it out.
/// </summary>
[ProviderAlias("LambdaJson")]
public sealed class LambdaJsonLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    public const string DefaultServiceName = "serverless";

    // Lines are read by CloudWatch and people, never embedded in HTML: keep quotes, '+' and '<' readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Stream output;
    private readonly bool ownsOutput;
    private readonly TimeProvider clock;
    private readonly string service;
    private readonly string? functionName;
    private readonly string? functionVersion;
    private readonly int? functionMemorySize;
    private readonly Lock writeLock = new();
    private readonly HashSet<string> structuredEvents;
    private readonly LogLevelPolicy policy;
    private readonly Func<double> sampler;
    private IExternalScopeProvider? scopeProvider;

    public LambdaJsonLoggerProvider(LambdaJsonLoggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ownsOutput = options.Output is null;
        output = options.Output ?? Console.OpenStandardOutput();
        clock = options.TimeProvider;
        service = options.Environment.GetVariable("SERVICE_NAME") is { Length: > 0 } name ? name : DefaultServiceName;
        functionName = options.Environment.GetVariable(Runtime.LambdaEnvironmentVariables.FunctionName);
        functionVersion = options.Environment.GetVariable("AWS_LAMBDA_FUNCTION_VERSION") is { Length: > 0 } version ? version : null;
        functionMemorySize = int.TryParse(options.Environment.GetVariable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size) ? size : null;
        structuredEvents = new HashSet<string>(options.StructuredEvents, StringComparer.Ordinal);
        policy = LogLevelPolicy.From(options);
        sampler = options.Sampler;
        foreach (var warning in policy.Warnings)
        {
            // A setting that does nothing must not pass unnoticed, whatever the level.
            Emit(Format(OwnCategory, LogLevel.Warning, warning, null));
        }
    }

    /// <summary>The names the line's own fields take; a structured event's value of the same name is not written.</summary>
    private static readonly HashSet<string> StandardFields = new(StringComparer.Ordinal)
    {
        "timestamp", "level", "message", "service", "cold_start", "function_name", "function_memory_size", "function_version", "function_request_id", "correlation_id", "sequence_number", "sampling_rate", "xray_trace_id", "trace_id", "name", "exception",
    };

    internal bool IsStructured(EventId eventId) => eventId.Name is { } name && structuredEvents.Contains(name);

    public ILogger CreateLogger(string categoryName) => new LambdaJsonLogger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => this.scopeProvider = scopeProvider;

    /// <summary>The category of the lines the logger writes about itself (settings, sampling, buffering).</summary>
    public const string OwnCategory = "Serverless.Lambda.Logging";

    /// <summary>Whether a line at <paramref name="level"/> would be written or buffered now, on this async flow.</summary>
    internal bool IsEnabled(LogLevel level)
    {
        if (level == LogLevel.None)
        {
            return false;
        }

        if (level >= policy.MinimumLevel)
        {
            return true;
        }

        if (ActiveInvocation() is not { } invocation)
        {
            return false;
        }

        return (level >= LogLevel.Debug && IsSampled(invocation)) || (policy.Buffering && level >= policy.BufferAtLevel);
    }

    internal void Write(string category, LogLevel level, string message, Exception? exception, IReadOnlyList<KeyValuePair<string, object?>>? fields = null)
    {
        var invocation = ActiveInvocation();
        var direct = level >= policy.MinimumLevel || (invocation is not null && level >= LogLevel.Debug && IsSampled(invocation));
        var buffered = !direct && invocation is not null && policy.Buffering && level >= policy.BufferAtLevel;
        if (!direct && !buffered)
        {
            return;
        }

        if (direct)
        {
            if (invocation is not null && level >= LogLevel.Error && policy.FlushOnErrorLog)
            {
                // What led up to the error first, then the error: the order the lines were logged in.
                Flush(invocation.Logging, this);
            }

            // A line written at once is written from a reused buffer: only a buffered line needs an array of its own.
            var pooled = LineBuffer.Rent();
            try
            {
                Emit(Format(pooled, category, level, message, exception, fields));
            }
            finally
            {
                LineBuffer.Return(pooled);
            }

            return;
        }

        var line = Format(category, level, message, exception, fields);

        if (line.Length > policy.BufferMaxBytes)
        {
            // As Powertools does: a line the buffer could never hold is written at once, with a word why.
            Emit(Format(OwnCategory, LogLevel.Warning, $"A {LevelName(level)} line of {line.Length} bytes is larger than the log buffer ({policy.BufferMaxBytes} bytes, {LambdaJsonLoggerOptions.BufferMaxBytesVariable}); written at once.", null));
            Emit(line);
            return;
        }

        invocation!.Logging.Add(this, line, policy.BufferMaxBytes);
    }

    /// <summary>Writes what <paramref name="buffer"/> holds, oldest first, each line through the logger that wrote it.</summary>
    /// <param name="writer">The logger that writes the line saying how many were dropped; by default the oldest line's.</param>
    internal static void Flush(InvocationLogBuffer buffer, LambdaJsonLoggerProvider? writer)
    {
        var (lines, dropped, bound) = buffer.Take();
        if (lines.Count == 0 && dropped == 0)
        {
            return;
        }

        if (dropped > 0 && (writer ?? (lines.Count > 0 ? lines[0].Provider : null)) is { } announcer)
        {
            announcer.Emit(announcer.Format(
                OwnCategory,
                LogLevel.Warning,
                $"{dropped} buffered log line(s) of this invocation were dropped, oldest first, to keep the buffer within {bound} bytes ({LambdaJsonLoggerOptions.BufferMaxBytesVariable}).",
                null));
        }

        foreach (var (provider, line) in lines)
        {
            provider.Emit(line);
        }
    }

    /// <summary>The invocation running on this flow, unless it has ended (a task it left behind is no longer part of it).</summary>
    private static InvocationLogState? ActiveInvocation() =>
        LambdaLogContext.Current is { } invocation && !invocation.Logging.Ended ? invocation : null;

    /// <summary>The invocation's sampling decision; the logger that takes it writes the line that says so.</summary>
    private bool IsSampled(InvocationLogState invocation)
    {
        var sampled = invocation.Logging.Sampled(policy.SamplingRate, sampler, out var draw);
        if (draw is { } value)
        {
            Emit(Format(
                OwnCategory,
                LogLevel.Debug,
                string.Create(CultureInfo.InvariantCulture, $"This invocation is sampled: it logs at DEBUG (sampling rate {policy.SamplingRate}, sampler value {Math.Round(value, 6)})."),
                null));
        }

        return sampled;
    }

    private void Emit(ReadOnlySpan<byte> line)
    {
        lock (writeLock)
        {
            output.Write(line);
            output.Flush();
        }
    }

    /// <summary>One line, newline included, stamped now: a buffered line keeps the time it was logged at.</summary>
    private byte[] Format(string category, LogLevel level, string message, Exception? exception, IReadOnlyList<KeyValuePair<string, object?>>? fields = null)
    {
        var pooled = LineBuffer.Rent();
        try
        {
            return Format(pooled, category, level, message, exception, fields).ToArray();
        }
        finally
        {
            LineBuffer.Return(pooled);
        }
    }

    /// <summary>The line into <paramref name="line"/>'s buffer; the span is valid until the buffer is returned.</summary>
    private ReadOnlySpan<byte> Format(
        LineBuffer line, string category, LogLevel level, string message, Exception? exception, IReadOnlyList<KeyValuePair<string, object?>>? fields)
    {
        var invocation = LambdaLogContext.Current;
        var record = LambdaLogContext.CurrentRecord;
        var buffer = line.Buffer;
        {
            var json = line.Writer;
            json.WriteStartObject();
            json.WriteString(Names.Timestamp, clock.GetUtcNow().UtcDateTime);
            json.WriteString(Names.Level, LevelName(level));
            json.WriteString(Names.Message, message);
            json.WriteString(Names.Service, service);
            json.WriteBoolean(Names.ColdStart, invocation?.ColdStart ?? false);
            WriteStringOrNull(json, Names.FunctionName, functionName);
            var (hostRequestId, correlationId) = FromScopes();
            if (functionMemorySize is { } memory)
            {
                json.WriteNumber(Names.FunctionMemorySize, memory);
            }

            if (functionVersion is not null)
            {
                json.WriteString(Names.FunctionVersion, functionVersion);
            }

            WriteStringOrNull(json, Names.FunctionRequestId, invocation?.RequestId ?? hostRequestId);
            // A stream record's eventID is what ties a line to the change it was about, as a request's id does for the API.
            if ((record?.EventId ?? correlationId) is { } correlation)
            {
                json.WriteString(Names.CorrelationId, correlation);
            }

            if (record?.SequenceNumber is { } sequenceNumber)
            {
                json.WriteString(Names.SequenceNumber, sequenceNumber);
            }

            // Powertools' names: xray_trace_id on Lambda (the X-Ray root); off Lambda the W3C trace id, as trace_id.
            if (invocation is not null)
            {
                WriteStringOrNull(json, Names.XrayTraceId, invocation.XRayRoot);
            }
            else
            {
                WriteStringOrNull(json, Names.TraceId, Activity.Current?.TraceId.ToHexString());
            }

            if (policy.SamplingRate > 0)
            {
                json.WriteNumber(Names.SamplingRate, policy.SamplingRate);
            }

            json.WriteString(Names.Name, category);
            if (fields is not null)
            {
                WriteFields(json, fields);
            }

            if (exception is not null)
            {
                json.WriteStartObject(Names.Exception);
                json.WriteString(Names.Type, exception.GetType().FullName);
                json.WriteString(Names.Message, ExceptionText.Redact(exception.Message));
                WriteStringOrNull(json, Names.StackTrace, exception.StackTrace);
                if (exception.InnerException is not null)
                {
                    json.WriteStartArray(Names.InnerTypes);
                    for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
                    {
                        json.WriteStringValue(inner.GetType().FullName);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.Flush();
        }

        // Line and newline in one write, so lines from several providers sharing stdout never interleave.
        buffer.Write("\n"u8);
        return buffer.WrittenSpan;
    }

    /// <summary>
    /// From the logger scopes: on Kestrel, ASP.NET Core's hosting scope carries the request's TraceIdentifier as
    /// "RequestId"; the API's request scope carries its "CorrelationId".
    /// </summary>
    private (string? RequestId, string? CorrelationId) FromScopes()
    {
        if (scopeProvider is null)
        {
            return (null, null);
        }

        // Formatting never awaits: the thread's one holder serves every line it formats.
        var found = foundScopeValues ??= new FoundScopeValues();
        found.RequestId = null;
        found.CorrelationId = null;
        scopeProvider.ForEachScope(
            static (scope, found) =>
            {
                // Indexed where the scope is a list (the hosting scope, the API's), so no enumerator is made per scope.
                if (scope is IReadOnlyList<KeyValuePair<string, object?>> list)
                {
                    for (var i = 0; i < list.Count; i++)
                    {
                        found.Take(list[i]);
                    }
                }
                else if (scope is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    foreach (var pair in values)
                    {
                        found.Take(pair);
                    }
                }
            },
            found);
        return (found.RequestId, found.CorrelationId);
    }

    private static void WriteFields(Utf8JsonWriter json, IReadOnlyList<KeyValuePair<string, object?>> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            var (field, value) = fields[i];
            if (field == "{OriginalFormat}" || StandardFields.Contains(field))
            {
                continue;
            }

            var name = EncodedNames.Logs.Of(field);

            switch (value)
            {
                case null: json.WriteNull(name); break;
                case string text: json.WriteString(name, text); break;
                case bool flag: json.WriteBoolean(name, flag); break;
                case int number: json.WriteNumber(name, number); break;
                case long number: json.WriteNumber(name, number); break;
                case double number when double.IsFinite(number): json.WriteNumber(name, Math.Round(number, 3)); break;
                case IFormattable formattable: json.WriteString(name, formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture)); break;
                default: json.WriteString(name, value.ToString()); break;
            }
        }
    }

    /// <summary>The trace header is <c>Root=1-…;Parent=…;Sampled=…</c>; the Root is what X-Ray and log queries match on.</summary>
    internal static string? XRayRoot(string? traceHeader)
    {
        if (string.IsNullOrEmpty(traceHeader))
        {
            return null;
        }

        foreach (var part in traceHeader.Split(';', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("Root=", StringComparison.Ordinal))
            {
                return part[5..];
            }
        }

        return traceHeader;
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "FATAL",
        _ => "NONE",
    };

    private static void WriteStringOrNull(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>The standard fields' names, encoded once (as the writer escapes).</summary>
    private static class Names
    {
        private static JsonEncodedText Encode(string name) => JsonEncodedText.Encode(name, WriterOptions.Encoder);

        public static readonly JsonEncodedText Timestamp = Encode("timestamp");
        public static readonly JsonEncodedText Level = Encode("level");
        public static readonly JsonEncodedText Message = Encode("message");
        public static readonly JsonEncodedText Service = Encode("service");
        public static readonly JsonEncodedText ColdStart = Encode("cold_start");
        public static readonly JsonEncodedText FunctionName = Encode("function_name");
        public static readonly JsonEncodedText FunctionMemorySize = Encode("function_memory_size");
        public static readonly JsonEncodedText FunctionVersion = Encode("function_version");
        public static readonly JsonEncodedText FunctionRequestId = Encode("function_request_id");
        public static readonly JsonEncodedText CorrelationId = Encode("correlation_id");
        public static readonly JsonEncodedText SequenceNumber = Encode("sequence_number");
        public static readonly JsonEncodedText XrayTraceId = Encode("xray_trace_id");
        public static readonly JsonEncodedText TraceId = Encode("trace_id");
        public static readonly JsonEncodedText SamplingRate = Encode("sampling_rate");
        public static readonly JsonEncodedText Name = Encode("name");
        public static readonly JsonEncodedText Exception = Encode("exception");
        public static readonly JsonEncodedText Type = Encode("type");
        public static readonly JsonEncodedText StackTrace = Encode("stack_trace");
        public static readonly JsonEncodedText InnerTypes = Encode("inner_types");
    }

    public void Dispose()
    {
        if (ownsOutput)
        {
            output.Dispose();
        }
    }

    [ThreadStatic]
    private static FoundScopeValues? foundScopeValues;

    private sealed class FoundScopeValues
    {
        public string? RequestId { get; set; }

        public string? CorrelationId { get; set; }

        public void Take(KeyValuePair<string, object?> pair)
        {
            if (pair.Key == "RequestId" && pair.Value is string id)
            {
                RequestId = id;
            }
            else if (pair.Key == "CorrelationId" && pair.Value is string correlation)
            {
                CorrelationId = correlation;
            }
        }
    }

    /// <summary>
    /// A line's buffer and JSON writer, kept by the thread for its next line. Rented and returned, so a line formatted
    /// while another is held (a warning about the held one) gets a buffer of its own.
    /// </summary>
    private sealed class LineBuffer
    {
        // A line that once was huge (a long stack trace) does not keep its buffer for good.
        private const int KeepAtMost = 16 * 1024;

        [ThreadStatic]
        private static LineBuffer? cached;

        private LineBuffer()
        {
            Buffer = new ArrayBufferWriter<byte>(512);
            Writer = new Utf8JsonWriter(Buffer, WriterOptions);
        }

        public ArrayBufferWriter<byte> Buffer { get; }

        public Utf8JsonWriter Writer { get; }

        public static LineBuffer Rent()
        {
            var line = cached ?? new LineBuffer();
            cached = null;
            line.Buffer.ResetWrittenCount();
            line.Writer.Reset(line.Buffer);
            return line;
        }

        public static void Return(LineBuffer line)
        {
            if (line.Buffer.Capacity <= KeepAtMost)
            {
                cached = line;
            }
        }
    }
}
