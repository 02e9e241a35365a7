using Amazon.DynamoDBv2.Model;
using Serverless.Lambda.Events;

namespace Serverless.Streams.Decoding;

/// <summary>
/// Lambda's stream image (the wire form in the event) to the AWS SDK's <see cref="AttributeValue"/>s, which is what
/// the data layer's mappers read. Every DynamoDB type is carried over; numbers stay text, so no precision is lost.
/// </summary>
public static class StreamImage
{
    /// <returns>Null when there is no image (an INSERT has no old one, a REMOVE no new one).</returns>
    public static Dictionary<string, AttributeValue>? ToAttributeValues(IReadOnlyDictionary<string, DynamoDBAttributeValue>? image)
    {
        if (image is null)
        {
            return null;
        }

        var item = new Dictionary<string, AttributeValue>(image.Count, StringComparer.Ordinal);
        foreach (var (name, value) in image)
        {
            item[name] = ToAttributeValue(value, name);
        }

        return item;
    }

    /// <exception cref="StreamRecordDecodingException">The value carries no type DynamoDB knows.</exception>
    public static AttributeValue ToAttributeValue(DynamoDBAttributeValue value, string path)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Type switch
        {
            DynamoDBAttributeType.String => new AttributeValue { S = value.S },
            DynamoDBAttributeType.Number => new AttributeValue { N = value.N },
            DynamoDBAttributeType.Binary => new AttributeValue { B = Exposed(value.B!) },
            // Sets and lists: set the collection explicitly, so an empty one stays "set" for the SDK (v4 treats a
            // null collection as absent).
            DynamoDBAttributeType.StringSet => new AttributeValue { SS = [.. value.SS!] },
            DynamoDBAttributeType.NumberSet => new AttributeValue { NS = [.. value.NS!] },
            DynamoDBAttributeType.BinarySet => new AttributeValue { BS = [.. value.BS!.Select(Exposed)] },
            DynamoDBAttributeType.Map => new AttributeValue
            {
                M = value.M!.ToDictionary(e => e.Key, e => ToAttributeValue(e.Value, path + "." + e.Key), StringComparer.Ordinal),
                IsMSet = true,
            },
            DynamoDBAttributeType.List => new AttributeValue
            {
                L = [.. value.L!.Select((element, index) => ToAttributeValue(element, $"{path}[{index}]"))],
                IsLSet = true,
            },
            DynamoDBAttributeType.Null => new AttributeValue { NULL = true },
            DynamoDBAttributeType.Boolean => new AttributeValue { BOOL = value.BOOL },
            // The attribute name (a path) is safe to report; its value would not be.
            _ => throw new StreamRecordDecodingException($"Attribute '{path}' has no DynamoDB type."),
        };
    }

    // Exposing the buffer lets the SDK send the value from any position, as often as it is sent (a ciphertext copied
    // onto several orders): a stream that hides it is read from its position, and is empty once sent.
    private static MemoryStream Exposed(byte[] bytes) => new(bytes, 0, bytes.Length, writable: false, publiclyVisible: true);
}
