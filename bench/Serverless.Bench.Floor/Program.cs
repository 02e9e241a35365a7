using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

// One Runtime API loop, one GetItem per invocation, a fixed HTTP API 2.0 response. Only what answering needs.
var runtimeApi = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API")
    ?? throw new InvalidOperationException("AWS_LAMBDA_RUNTIME_API is not set.");
var table = Environment.GetEnvironmentVariable("TABLE_NAME") ?? "Serverless";
var endpoint = Environment.GetEnvironmentVariable("DYNAMODB_ENDPOINT");

using var dynamo = string.IsNullOrEmpty(endpoint)
    ? new AmazonDynamoDBClient()
    : new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig { ServiceURL = endpoint, AuthenticationRegion = "us-east-1" });
using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://{runtimeApi}/2018-06-01/"), Timeout = Timeout.InfiniteTimeSpan };

while (true)
{
    using var next = await http.GetAsync("runtime/invocation/next");
    var requestId = next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").First();
    using var invocation = JsonDocument.Parse(await next.Content.ReadAsByteArrayAsync());

    // The same request the API function gets: GET /users/{id}; the id is the path's last segment.
    var path = invocation.RootElement.GetProperty("rawPath").GetString() ?? "";
    var id = path[(path.LastIndexOf('/') + 1)..];
    var item = await dynamo.GetItemAsync(new GetItemRequest
    {
        TableName = table,
        Key = new() { ["PK"] = new AttributeValue { S = "USER#" + id }, ["SK"] = new AttributeValue { S = "PROFILE" } },
        ConsistentRead = true,
    });

    var found = item.Item is { Count: > 0 };
    var body = found ? $"{{\"id\":\"{id}\",\"email\":\"{item.Item!["email"].S}\"}}" : "{}";
    var response = $"{{\"statusCode\":{(found ? 200 : 404)},\"headers\":{{\"content-type\":\"application/json\"}},\"body\":{JsonSerializer.Serialize(body, FloorJson.Default.String)}}}";
    using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(response));
    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    using var posted = await http.PostAsync($"runtime/invocation/{requestId}/response", content);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class FloorJson : System.Text.Json.Serialization.JsonSerializerContext;
