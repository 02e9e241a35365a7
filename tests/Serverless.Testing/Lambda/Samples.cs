using System.Text.Json.Nodes;
using Serverless.Lambda.Events;

namespace Serverless.Testing.Lambda;

/// <summary>
/// The AWS event samples of tests/Serverless.Lambda.Tests/Samples (see its README), read from the test binaries'
/// Samples folder, where each test project that uses them copies them.
/// </summary>
public static class Samples
{
    public const string StreamEvent = "dynamodb-event.json";
    public const string TimeWindowEvent = "dynamodb-timewindow-event.json";
    public const string BatchItemFailuresResponse = "dynamodb-batchitemfailures-response.json";

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Samples", name));

    /// <summary>A sample as a mutable tree, to derive a variant in memory while the file stays byte-exact.</summary>
    public static JsonObject Json(string name) => JsonNode.Parse(Utf8Bom.Skip(Bytes(name).AsSpan()))!.AsObject();

    public static byte[] ToBytes(this JsonNode node) => System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());

    public static DynamoDBEvent Event(string name) => LambdaEventSerializer.Deserialize(Bytes(name), LambdaJsonContext.Default.DynamoDBEvent);
}
