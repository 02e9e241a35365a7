using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Serverless.Local.Streams;

namespace Serverless.Local.EventSourceMapping;

/// <summary>
/// Writes records as Lambda's DynamoDB event source mapping sends them: <c>{"Records":[...]}</c> with the keys in the
/// order and casing of the published samples. Written by hand with <see cref="Utf8JsonWriter"/> so the attribute
/// values (kept as raw JSON from GetRecords) pass through unchanged and nothing needs reflection.
/// </summary>
public static class StreamEventWriter
{
    public static byte[] WriteEvent(IReadOnlyList<LambdaStreamRecord> records)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("Records");
            writer.WriteStartArray();
            foreach (var record in records)
            {
                WriteRecord(writer, record);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One record alone, the document filter patterns are matched against.</summary>
    public static byte[] WriteRecord(LambdaStreamRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteRecord(writer, record);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteRecord(Utf8JsonWriter w, LambdaStreamRecord r)
    {
        var s = r.Source;
        w.WriteStartObject();
        w.WriteString("eventID", s.EventId);
        w.WriteString("eventName", s.EventName);
        w.WriteString("eventVersion", s.EventVersion ?? "1.1");
        w.WriteString("eventSource", s.EventSource ?? "aws:dynamodb");
        // The local run's one region, as in every ARN it reports (DynamoDB Local stamps its own "ddblocal").
        w.WriteString("awsRegion", r.Region);
        var identity = r.UserIdentity ?? s.UserIdentity;
        if (identity is not null)
        {
            w.WritePropertyName("userIdentity");
            w.WriteStartObject();
            w.WriteString("type", identity.Type);
            w.WriteString("principalId", identity.PrincipalId);
            w.WriteEndObject();
        }

        var d = s.Dynamodb;
        w.WritePropertyName("dynamodb");
        w.WriteStartObject();
        if (d.ApproximateCreationDateTime is { } created)
        {
            // Lambda sends epoch seconds as a fractional number (the older samples show whole ones); always with a
            // fraction here, so a consumer that parses it as a float locally does so on AWS too. DynamoDB Local 1.25.1
            // stamps its records to the minute; order comes from SequenceNumber.
            w.WritePropertyName("ApproximateCreationDateTime");
            w.WriteRawValue(created.ToString("0.0##", CultureInfo.InvariantCulture));
        }

        WriteRaw(w, "Keys", d.Keys);
        WriteRaw(w, "NewImage", d.NewImage);
        WriteRaw(w, "OldImage", d.OldImage);
        w.WriteString("SequenceNumber", d.SequenceNumber);
        if (d.SizeBytes is { } size)
        {
            w.WriteNumber("SizeBytes", size);
        }

        if (d.StreamViewType is not null)
        {
            w.WriteString("StreamViewType", d.StreamViewType);
        }

        w.WriteEndObject();
        w.WriteString("eventSourceARN", r.StreamArn);
        w.WriteEndObject();
    }

    private static void WriteRaw(Utf8JsonWriter w, string name, JsonElement? value)
    {
        if (value is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } v)
        {
            w.WritePropertyName(name);
            v.WriteTo(w);
        }
    }

    internal static string Iso8601Seconds(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>A stream record on its way to a function: the API's record plus what the mapping adds to it.</summary>
/// <param name="Source">The record as GetRecords returned it.</param>
/// <param name="StreamArn">Becomes eventSourceARN.</param>
/// <param name="Region">The region to report when the record carries none.</param>
/// <param name="UserIdentity">Set for deletions the local TTL sweeper made (the service marks its own TTL deletions).</param>
public sealed record LambdaStreamRecord(StreamRecord Source, string StreamArn, string Region, StreamUserIdentity? UserIdentity = null)
{
    public string SequenceNumber => Source.Dynamodb.SequenceNumber;

    public DateTimeOffset? ApproximateCreation => Source.Dynamodb.ApproximateCreationDateTime is { } s
        ? DateTimeOffset.FromUnixTimeMilliseconds((long)(s * 1000))
        : null;
}
