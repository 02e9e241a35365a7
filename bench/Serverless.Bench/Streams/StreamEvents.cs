using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;

namespace Serverless.Bench.Streams;

/// <summary>
/// DynamoDB stream batches as Lambda's event source mapping delivers them (NEW_AND_OLD_IMAGES), built from the
/// items the data layer writes, so the functions decode exactly what the table would stream.
/// </summary>
public static class StreamEvents
{
    private const string StreamArn = "arn:aws:dynamodb:us-east-1:123456789012:table/bench/stream/2026-11-30T00:00:00.000";

    public static byte[] Batch(IEnumerable<StreamChange> changes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("Records");
            foreach (var change in changes)
            {
                WriteRecord(w, change);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static long _sequence = 100_000_000_000;

    private static void WriteRecord(Utf8JsonWriter w, StreamChange change)
    {
        var image = change.NewImage ?? change.OldImage ?? throw new ArgumentException("A change needs an image.", nameof(change));
        w.WriteStartObject();
        w.WriteString("eventID", Guid.NewGuid().ToString("N"));
        w.WriteString("eventName", change.EventName);
        w.WriteString("eventVersion", "1.1");
        w.WriteString("eventSource", "aws:dynamodb");
        w.WriteString("awsRegion", "us-east-1");
        w.WriteStartObject("dynamodb");
        w.WriteNumber("ApproximateCreationDateTime", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        w.WritePropertyName("Keys");
        WriteItem(w, new Dictionary<string, AttributeValue> { ["PK"] = image["PK"], ["SK"] = image["SK"] });
        if (change.NewImage is not null)
        {
            w.WritePropertyName("NewImage");
            WriteItem(w, change.NewImage);
        }

        if (change.OldImage is not null)
        {
            w.WritePropertyName("OldImage");
            WriteItem(w, change.OldImage);
        }

        w.WriteString("SequenceNumber", Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture));
        w.WriteNumber("SizeBytes", 512);
        w.WriteString("StreamViewType", "NEW_AND_OLD_IMAGES");
        w.WriteEndObject();
        w.WriteString("eventSourceARN", StreamArn);
        w.WriteEndObject();
    }

    private static void WriteItem(Utf8JsonWriter w, Dictionary<string, AttributeValue> item)
    {
        w.WriteStartObject();
        foreach (var (name, value) in item)
        {
            w.WritePropertyName(name);
            WriteValue(w, value);
        }

        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, AttributeValue v)
    {
        w.WriteStartObject();
        if (v.S is not null)
        {
            w.WriteString("S", v.S);
        }
        else if (v.N is not null)
        {
            w.WriteString("N", v.N);
        }
        else if (v.B is not null)
        {
            w.WriteBase64String("B", v.B.ToArray());
        }
        else if (v.BOOL is { } flag)
        {
            w.WriteBoolean("BOOL", flag);
        }
        else if (v.NULL is true)
        {
            w.WriteBoolean("NULL", true);
        }
        else if (v.SS is { Count: > 0 })
        {
            w.WriteStartArray("SS");
            v.SS.ForEach(w.WriteStringValue);
            w.WriteEndArray();
        }
        else if (v.NS is { Count: > 0 })
        {
            w.WriteStartArray("NS");
            v.NS.ForEach(w.WriteStringValue);
            w.WriteEndArray();
        }
        else if (v.BS is { Count: > 0 })
        {
            w.WriteStartArray("BS");
            v.BS.ForEach(b => w.WriteBase64StringValue(b.ToArray()));
            w.WriteEndArray();
        }
        else if (v.M is not null)
        {
            w.WritePropertyName("M");
            WriteItem(w, v.M);
        }
        else if (v.L is not null)
        {
            w.WriteStartArray("L");
            v.L.ForEach(e => WriteValue(w, e));
            w.WriteEndArray();
        }
        else
        {
            // An empty map or list arrives from the SDK with neither M nor L set.
            w.WritePropertyName("M");
            w.WriteStartObject();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}

public sealed record StreamChange(string EventName, Dictionary<string, AttributeValue>? OldImage, Dictionary<string, AttributeValue>? NewImage);
