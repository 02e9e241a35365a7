using System.Text.Json.Serialization;

namespace Serverless.Lambda.Events;

/// <summary>
/// One DynamoDB attribute in the stream's wire form: exactly one member is set. Numbers stay strings (DynamoDB
/// numbers have 38 digits of precision, more than any .NET type); binaries are decoded from base64.
/// </summary>
public sealed class DynamoDBAttributeValue
{
    [JsonPropertyName("S")]
    public string? S { get; set; }

    [JsonPropertyName("N")]
    public string? N { get; set; }

    [JsonPropertyName("B")]
    public byte[]? B { get; set; }

    [JsonPropertyName("SS")]
    public List<string>? SS { get; set; }

    [JsonPropertyName("NS")]
    public List<string>? NS { get; set; }

    [JsonPropertyName("BS")]
    public List<byte[]>? BS { get; set; }

    [JsonPropertyName("M")]
    public Dictionary<string, DynamoDBAttributeValue>? M { get; set; }

    [JsonPropertyName("L")]
    public List<DynamoDBAttributeValue>? L { get; set; }

    [JsonPropertyName("NULL")]
    public bool? NULL { get; set; }

    [JsonPropertyName("BOOL")]
    public bool? BOOL { get; set; }

    [JsonIgnore]
    public DynamoDBAttributeType Type =>
        S is not null ? DynamoDBAttributeType.String
        : N is not null ? DynamoDBAttributeType.Number
        : B is not null ? DynamoDBAttributeType.Binary
        : SS is not null ? DynamoDBAttributeType.StringSet
        : NS is not null ? DynamoDBAttributeType.NumberSet
        : BS is not null ? DynamoDBAttributeType.BinarySet
        : M is not null ? DynamoDBAttributeType.Map
        : L is not null ? DynamoDBAttributeType.List
        : NULL is true ? DynamoDBAttributeType.Null
        : BOOL is not null ? DynamoDBAttributeType.Boolean
        : DynamoDBAttributeType.Unknown;
}

public enum DynamoDBAttributeType
{
    Unknown,
    String,
    Number,
    Binary,
    StringSet,
    NumberSet,
    BinarySet,
    Map,
    List,
    Null,
    Boolean,
}
