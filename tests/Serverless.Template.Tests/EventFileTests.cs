using System.Text.Json;
using Serverless.Data.Table;
using Serverless.Domain.Users;
using Serverless.Lambda.Events;
using Serverless.Local.EventSourceMapping;
using Serverless.Streams.Audit;
using Serverless.Streams.Decoding;

namespace Serverless.Template.Tests;

/// <summary>
/// events/ holds one ready event per function for `sam local invoke -e`: each parses as the event its function takes,
/// carries items in our layout, and would reach the function through the template's filter.
/// </summary>
public sealed class EventFileTests
{
    private static readonly SamTemplate Template = SamTemplate.Load();

    private static readonly IReadOnlyDictionary<string, string> EventOfFunction = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ApiFunction"] = "api-get-health.json",
        ["AuditFunction"] = "audit-user-insert.json",
        ["DenormalizeFunction"] = "denormalize-user-modify.json",
        ["PurgeFunction"] = "purge-user-ttl-remove.json",
        ["CacheInvalidationFunction"] = "cache-invalidation-user-modify.json",
    };

    [Fact]
    public void Every_function_has_a_ready_event_and_every_event_belongs_to_a_function()
    {
        Assert.Equal(Template.Functions().Select(f => f.LogicalId).Order(StringComparer.Ordinal), EventOfFunction.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            EventOfFunction.Values.Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(RepoPaths.Of("events"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_api_event_is_an_http_api_2_request_for_an_open_route_of_the_template()
    {
        var request = LambdaEventSerializer.Deserialize(File.ReadAllBytes(RepoPaths.Of("events", EventOfFunction["ApiFunction"])), LambdaJsonContext.Default.HttpApiRequest);
        Assert.Equal("2.0", request.Version);
        Assert.Equal("GET /health", request.RouteKey);
        Assert.Equal("/health", request.RawPath);
        Assert.Equal("GET", request.RequestContext?.Http?.Method);
        Assert.Equal(request.RouteKey, request.RequestContext?.RouteKey);

        // The route exists in the template and needs no token, so the event runs without an authorizer block.
        var route = GatewayRoute.Select(GatewayRoute.AllOf(Template), "GET", request.RawPath!);
        Assert.NotNull(route);
        Assert.Equal("GET /health", route.ToString());
        Assert.Empty(route.Scopes);
    }

    [Theory]
    [InlineData("AuditFunction", "INSERT")]
    [InlineData("DenormalizeFunction", "MODIFY")]
    [InlineData("PurgeFunction", "REMOVE")]
    [InlineData("CacheInvalidationFunction", "MODIFY")]
    public void Each_stream_event_is_a_dynamodb_batch_of_our_user_items_that_passes_its_functions_filter(string function, string eventName)
    {
        var bytes = File.ReadAllBytes(RepoPaths.Of("events", EventOfFunction[function]));
        var batch = LambdaEventSerializer.Deserialize(bytes, LambdaJsonContext.Default.DynamoDBEvent);
        var filters = Assert.Single(SamTemplateLoader.Load(File.ReadAllText(RepoPaths.Of("template.yaml")), CacheTemplateTests.CacheOn), m => m.FunctionName == function).Filters;
        using var raw = JsonDocument.Parse(bytes);
        var rawRecords = raw.RootElement.GetProperty("Records").EnumerateArray().ToList();
        Assert.Equal(rawRecords.Count, batch.Records.Count);
        Assert.NotEmpty(batch.Records);

        for (var i = 0; i < batch.Records.Count; i++)
        {
            var record = batch.Records[i];
            Assert.Equal("aws:dynamodb", record.EventSource);
            Assert.Equal(eventName, record.EventName);
            Assert.Equal("NEW_AND_OLD_IMAGES", record.Dynamodb?.StreamViewType);
            Assert.NotNull(record.Dynamodb?.ApproximateCreationDateTime);
            Assert.StartsWith("arn:aws:dynamodb:", record.EventSourceArn, StringComparison.Ordinal);
            Assert.True(FilterPattern.AnyMatches(filters, rawRecords[i]), $"record {i} of {EventOfFunction[function]} would be filtered out before {function}");

            // Decoding reads each image through the data layer's mapper: the images are items in our layout.
            var change = StreamRecordDecoder.Decode(record);
            Assert.True(change.IsKnownEntityType);
            var after = change.ReadNew<User>();
            var before = change.ReadOld<User>();
            switch (function)
            {
                case "AuditFunction":
                    Assert.Contains(change.EntityType!, AuditFunction.AuditedTypes);
                    Assert.NotNull(after);
                    Assert.NotEqual(Writers.Unknown, change.ChangedBy);
                    break;
                case "DenormalizeFunction":
                    // Otherwise the function would skip it ("email and name unchanged") and the event would show nothing.
                    Assert.True(before!.Email != after!.Email || before.Name != after.Name);
                    Assert.True(after.Version > before.Version);
                    break;
                case "CacheInvalidationFunction":
                    // An email change: the entries under both the old and the new email's blind token must go.
                    Assert.Equal(EntityTypes.User, change.EntityType);
                    Assert.NotEqual(before!.Email, after!.Email);
                    break;
                case "PurgeFunction":
                    Assert.True(change.IsTimeToLiveDeletion);
                    Assert.Null(after);
                    Assert.Equal(UserStatus.Deleted, before!.Status);
                    Assert.True(record.Dynamodb!.ApproximateCreationDateTime >= before.PurgeAfter, "TTL removes an item only after its ttl");
                    break;
            }
        }
    }
}
