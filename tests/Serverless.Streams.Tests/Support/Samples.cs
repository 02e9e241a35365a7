using Serverless.Lambda.Events;

namespace Serverless.Streams.Tests.Support;

internal static class Samples
{
    public const string StreamEvent = "dynamodb-event.json";
    public const string TimeWindowEvent = "dynamodb-timewindow-event.json";
    public const string BatchItemFailuresResponse = "dynamodb-batchitemfailures-response.json";

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Samples", name));

    public static DynamoDBEvent Event(string name) => LambdaEventSerializer.Deserialize(Bytes(name), LambdaJsonContext.Default.DynamoDBEvent);
}
