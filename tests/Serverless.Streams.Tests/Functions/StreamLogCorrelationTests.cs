using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Serverless.Streams.Tests.Support;
using Serverless.Testing;
using Serverless.Testing.Lambda;

namespace Serverless.Streams.Tests.Functions;

/// <summary>
/// The stream functions as Lambda runs them, on the published DynamoDB stream sample: what they log about a record
/// names the record's eventID (as correlation_id) and sequence number, so one change's lines can be found together.
/// </summary>
public sealed class StreamLogCorrelationTests(DynamoDbLocalFixture dynamo)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(StreamFunctions.Audit)]
    [InlineData(StreamFunctions.Denormalize)]
    [InlineData(StreamFunctions.Purge)]
    public async Task Lines_about_each_record_of_the_published_sample_carry_its_event_id_and_sequence_number(string name)
    {
        await using var table = await TestTable.CreateAsync(dynamo, _ct);
        var output = new MemoryStream();
        var environment = new TestEnvironment(new()
        {
            ["TABLE_NAME"] = table.Name,
            ["DYNAMODB_ENDPOINT"] = dynamo.ServiceUrl.ToString(),
        });
        var function = await StreamFunctions.CreateFromEnvironmentAsync(
            name,
            environment,
            options =>
            {
                options.Output = output;
                options.MinimumLevel = LogLevel.Debug;
            },
            _ct);
        try
        {
            await function.InvokeMeteredAsync(Samples.Bytes(Samples.StreamEvent), _ct);
        }
        finally
        {
            await ((IAsyncDisposable)function).DisposeAsync();
        }

        var sample = Samples.Json(Samples.StreamEvent)["Records"]!.AsArray();
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        foreach (var record in sample)
        {
            var eventId = (string)record!["eventID"]!;
            var about = lines.Where(l => (string?)l["correlation_id"] == eventId).ToList();
            // The functions skip the sample's foreign records (no entity type), saying so for each one.
            Assert.NotEmpty(about);
            Assert.All(about, l => Assert.Equal((string)record["dynamodb"]!["SequenceNumber"]!, (string)l["sequence_number"]!));
        }

        var cost = Assert.Single(lines, l => (string?)l["message"] is { } m && m.StartsWith("Batch cost", StringComparison.Ordinal));
        Assert.Null(cost["correlation_id"]);
    }
}
