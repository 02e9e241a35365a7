using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Serverless.Lambda.Tracing;

/// <summary>
/// One finished span as the datagram the X-Ray daemon takes: the header line <c>{"format": "json", "version": 1}</c>, a
/// newline, and a subsegment document sent on its own (X-Ray's segment document format: <c>type</c> "subsegment" with
/// its <c>trace_id</c> and <c>parent_id</c>). A span of an AWS SDK call (<c>rpc.system</c> "aws-api") is named for the
/// service, in the <c>aws</c> namespace, with an <c>aws</c> object, so X-Ray draws the service as a node of the trace
/// map; its other tags go into <c>metadata</c>. Written with <see cref="Utf8JsonWriter"/>, so nothing here needs reflection.
/// </summary>
internal static class SubsegmentDocument
{
    private static ReadOnlySpan<byte> Header => "{\"format\": \"json\", \"version\": 1}\n"u8;

    // OpenTelemetry's semantic conventions for an AWS SDK call's span, and the project's own AWS tags.
    private const string RpcSystem = "rpc.system";
    private const string AwsApi = "aws-api";
    private const string RpcService = "rpc.service";
    private const string RpcMethod = "rpc.method";
    private const string CloudRegion = "cloud.region";
    private const string StatusCode = "http.response.status_code";
    private const string ErrorType = "error.type";
    private const string RequestId = "aws.request_id";
    private const string Retries = "aws.retries";
    private const string Throttled = "aws.throttled";
    private const string TableNames = "aws.dynamodb.table_names";

    /// <summary>The tags that become fields of their own rather than metadata.</summary>
    private static readonly HashSet<string> Mapped = new(StringComparer.Ordinal)
    {
        RpcSystem, RpcService, RpcMethod, CloudRegion, StatusCode, ErrorType, RequestId, Retries, Throttled, TableNames,
    };

    public static byte[] Write(Activity activity, Subsegment subsegment)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write(Header);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteDocument(json, activity, subsegment);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteDocument(Utf8JsonWriter json, Activity activity, Subsegment subsegment)
    {
        var isAws = activity.GetTagItem(RpcSystem) as string == AwsApi;
        var status = activity.GetTagItem(StatusCode) is int code ? code : (int?)null;
        var errorType = activity.GetTagItem(ErrorType) as string;
        var throttled = activity.GetTagItem(Throttled) is true || status == 429;
        var failed = errorType is not null || activity.Status == ActivityStatusCode.Error;

        json.WriteStartObject();
        json.WriteString("name", Name(isAws ? activity.GetTagItem(RpcService) as string ?? activity.DisplayName : activity.DisplayName));
        json.WriteString("id", subsegment.Id);
        json.WriteString("trace_id", subsegment.TraceId);
        json.WriteString("parent_id", subsegment.ParentId);
        json.WriteString("type", "subsegment");
        var start = EpochSeconds(activity.StartTimeUtc);
        json.WriteNumber("start_time", Math.Round(start, 6));
        json.WriteNumber("end_time", Math.Round(start + activity.Duration.TotalSeconds, 6));
        if (isAws)
        {
            json.WriteString("namespace", "aws");
            WriteAws(json, activity);
        }

        if (status is { } answered)
        {
            json.WriteStartObject("http");
            json.WriteStartObject("response");
            json.WriteNumber("status", answered);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        if (failed)
        {
            // X-Ray's reading of an outcome: a throttle or another 4xx is the caller's error, anything else a fault.
            var clientError = throttled || status is >= 400 and < 500;
            json.WriteBoolean("error", clientError);
            json.WriteBoolean("fault", !clientError);
            json.WriteBoolean("throttle", throttled);
            json.WriteStartObject("cause");
            json.WriteStartArray("exceptions");
            json.WriteStartObject();
            json.WriteString("id", ActivitySpanId.CreateRandom().ToHexString());
            // The type only, never the message: an exception's message may quote what was asked.
            json.WriteString("type", errorType ?? "Error");
            if (isAws && status is not null)
            {
                json.WriteBoolean("remote", true);
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        WriteMetadata(json, activity);
        json.WriteEndObject();
    }

    private static void WriteAws(Utf8JsonWriter json, Activity activity)
    {
        json.WriteStartObject("aws");
        if (activity.GetTagItem(RpcMethod) is string operation)
        {
            json.WriteString("operation", operation);
        }

        if (activity.GetTagItem(CloudRegion) is string region)
        {
            json.WriteString("region", region);
        }

        if (activity.GetTagItem(RequestId) is string requestId)
        {
            json.WriteString("request_id", requestId);
        }

        if (activity.GetTagItem(TableNames) is string[] { Length: > 0 } tables)
        {
            if (tables.Length == 1)
            {
                json.WriteString("table_name", tables[0]);
            }
            else
            {
                json.WriteStartArray("table_names");
                foreach (var table in tables)
                {
                    json.WriteStringValue(table);
                }

                json.WriteEndArray();
            }
        }

        if (activity.GetTagItem(Retries) is int retries)
        {
            json.WriteNumber("retries", retries);
        }

        json.WriteEndObject();
    }

    /// <summary>The span's other tags, under <c>metadata.default</c> (recorded, not indexed).</summary>
    private static void WriteMetadata(Utf8JsonWriter json, Activity activity)
    {
        var open = false;
        foreach (var (key, value) in activity.TagObjects)
        {
            if (Mapped.Contains(key) || value is null)
            {
                continue;
            }

            if (!open)
            {
                json.WriteStartObject("metadata");
                json.WriteStartObject("default");
                open = true;
            }

            switch (value)
            {
                case string s: json.WriteString(key, s); break;
                case bool b: json.WriteBoolean(key, b); break;
                case int i: json.WriteNumber(key, i); break;
                case long l: json.WriteNumber(key, l); break;
                case double d when double.IsFinite(d): json.WriteNumber(key, d); break;
                case string[] strings:
                    json.WriteStartArray(key);
                    foreach (var item in strings)
                    {
                        json.WriteStringValue(item);
                    }

                    json.WriteEndArray();
                    break;
                default: json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture)); break;
            }
        }

        if (open)
        {
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }

    private static double EpochSeconds(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerSecond;

    /// <summary>X-Ray takes up to 200 characters of letters, digits, white space and <c>_ . : / % &amp; # = + \ - @</c> in a name.</summary>
    private static string Name(string name)
    {
        var chars = name.Length > 200 ? name[..200].ToCharArray() : name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsLetterOrDigit(chars[i]) && !char.IsWhiteSpace(chars[i]) && "_.:/%&#=+\\-@".IndexOf(chars[i], StringComparison.Ordinal) < 0)
            {
                chars[i] = '_';
            }
        }

        return chars.Length == 0 ? "span" : new string(chars);
    }
}
