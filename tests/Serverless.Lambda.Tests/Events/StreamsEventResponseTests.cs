using System.Text.Json.Nodes;
using Serverless.Lambda.Events;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.Events;

public sealed class StreamsEventResponseTests
{
    [Fact]
    public void Batch_item_failures_sample_round_trips_to_the_same_json()
    {
        var sample = Samples.Bytes("dynamodb-batchitemfailures-response.json");

        var response = LambdaEventSerializer.Deserialize(sample, LambdaJsonContext.Default.StreamsEventResponse);
        var written = LambdaEventSerializer.Serialize(response, LambdaJsonContext.Default.StreamsEventResponse);

        Assert.Equal("1405400000000002063282832", Assert.Single(response.BatchItemFailures).ItemIdentifier);
        Assert.True(JsonNode.DeepEquals(Samples.Json("dynamodb-batchitemfailures-response.json"), JsonNode.Parse(written)));
    }

    [Fact]
    public void An_all_success_response_is_an_empty_failure_list()
    {
        var written = LambdaEventSerializer.Serialize(new StreamsEventResponse(), LambdaJsonContext.Default.StreamsEventResponse);

        Assert.Equal("{\"batchItemFailures\":[]}", System.Text.Encoding.UTF8.GetString(written));
    }
}
