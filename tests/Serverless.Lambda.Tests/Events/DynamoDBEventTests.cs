using System.Text;
using System.Text.Json.Nodes;
using Serverless.Lambda.Events;
using Serverless.Testing.Lambda;

namespace Serverless.Lambda.Tests.Events;

public sealed class DynamoDBEventTests
{
    private static DynamoDBEvent Read(byte[] json) => LambdaEventSerializer.Deserialize(json, LambdaJsonContext.Default.DynamoDBEvent);

    [Fact]
    public void Stream_batch_sample_decodes_every_attribute_type()
    {
        var batch = Read(Samples.Bytes("dynamodb-event.json"));

        var insert = batch.Records[0];
        Assert.Equal("f07f8ca4b0b26cb9c4e5e77e69f274ee", insert.EventId);
        Assert.Equal("INSERT", insert.EventName);
        Assert.Equal("1.1", insert.EventVersion);
        Assert.Equal("aws:dynamodb", insert.EventSource);
        Assert.Equal("us-east-1", insert.AwsRegion);
        Assert.Equal("arn:aws:dynamodb:us-east-1:123456789012:table/Example-Table/stream/2016-12-01T00:00:00.000", insert.EventSourceArn);
        Assert.Null(insert.UserIdentity);

        var record = insert.Dynamodb!;
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1480642020), record.ApproximateCreationDateTime);
        Assert.Equal("1405400000000002063282832", record.SequenceNumber);
        Assert.Equal(54, record.SizeBytes);
        Assert.Equal("NEW_AND_OLD_IMAGES", record.StreamViewType);
        Assert.Equal("data", record.Keys!["val"].S);
        Assert.Equal("binary", record.Keys["key"].S);

        var image = record.NewImage!;
        Assert.Equal(DynamoDBAttributeType.String, image["val"].Type);
        Assert.Equal(new byte[] { 0, 1, 42, 65 }, image["asdf1"].B);
        Assert.Equal(DynamoDBAttributeType.Binary, image["asdf1"].Type);
        Assert.Equal([new byte[] { 0, 1, 42, 65 }, [65, 42, 1, 0]], image["asdf2"].BS!);
        Assert.Equal(DynamoDBAttributeType.BinarySet, image["asdf2"].Type);
        Assert.Empty(image["misc1"].L!);
        Assert.Equal(DynamoDBAttributeType.List, image["misc1"].Type);

        var map = image["misc2"].M!;
        Assert.Equal(DynamoDBAttributeType.Map, image["misc2"].Type);
        Assert.Empty(map["ItemsEmpty"].L!);
        var list = map["ItemsNonEmpty"].L!;
        Assert.Equal(["Cookies", "Coffee"], list.Take(2).Select(item => item.S!));
        Assert.Equal("3.14159", list[2].N);
        Assert.Equal(DynamoDBAttributeType.Number, list[2].Type);
        Assert.False(map["ItemBoolean"].BOOL);
        Assert.Equal(DynamoDBAttributeType.Boolean, map["ItemBoolean"].Type);
        Assert.Equal(["0", "50", "150"], map["ItemNumberSet"].NS!);
        Assert.Equal(DynamoDBAttributeType.NumberSet, map["ItemNumberSet"].Type);
        Assert.True(map["ItemNull"].NULL);
        Assert.Equal(DynamoDBAttributeType.Null, map["ItemNull"].Type);
        Assert.Equal(["Hippo", "Zebra"], map["ItemStringSet"].SS!);
        Assert.Equal(DynamoDBAttributeType.StringSet, map["ItemStringSet"].Type);
    }

    [Fact]
    public void Ttl_deletion_record_carries_the_dynamodb_service_identity_and_the_old_image()
    {
        var remove = Read(Samples.Bytes("dynamodb-event.json")).Records[1];

        Assert.Equal("REMOVE", remove.EventName);
        Assert.Equal("Service", remove.UserIdentity!.Type);
        Assert.Equal("dynamodb.amazonaws.com", remove.UserIdentity.PrincipalId);
        Assert.True(remove.UserIdentity.IsTimeToLiveDeletion);
        Assert.Null(remove.Dynamodb!.NewImage);
        Assert.Equal(3, remove.Dynamodb.OldImage!["asdf2"].BS!.Count);
        Assert.Equal("OLD_IMAGE", remove.Dynamodb.StreamViewType);
    }

    [Fact]
    public void Tumbling_window_sample_decodes_records_window_and_state()
    {
        var batch = Read(Samples.Bytes("dynamodb-timewindow-event.json"));

        Assert.Equal(["INSERT", "MODIFY", "REMOVE"], batch.Records.Select(record => record.EventName!));
        Assert.Equal(["111", "222", "333"], batch.Records.Select(record => record.Dynamodb!.SequenceNumber!));
        Assert.Equal("101", batch.Records[1].Dynamodb!.Keys!["Id"].N);
        Assert.Equal("New item!", batch.Records[1].Dynamodb!.OldImage!["Message"].S);
        Assert.Equal("This item has changed", batch.Records[1].Dynamodb!.NewImage!["Message"].S);
        Assert.Null(batch.Records[0].Dynamodb!.ApproximateCreationDateTime);
        Assert.Equal(new DateTimeOffset(2020, 7, 30, 17, 0, 0, TimeSpan.Zero), batch.Window!.Start);
        Assert.Equal(new DateTimeOffset(2020, 7, 30, 17, 5, 0, TimeSpan.Zero), batch.Window.End);
        Assert.Equal("state1", batch.State!["1"]);
        Assert.Equal("shard123456789", batch.ShardId);
        Assert.Equal("stream-ARN", batch.EventSourceArn);
        Assert.False(batch.IsFinalInvokeForWindow);
        Assert.False(batch.IsWindowTerminatedEarly);
    }

    [Theory]
    [InlineData("1480642020", 1480642020_000L)]
    [InlineData("1480642020000", 1480642020_000L)]
    [InlineData("1480642020.5", 1480642020_500L)]
    [InlineData("1.480642020123E9", 1480642020_123L)]
    [InlineData("1480642020123", 1480642020_123L)]
    public void Approximate_creation_time_is_read_in_seconds_or_milliseconds_by_magnitude(string value, long expectedMilliseconds)
    {
        var json = Samples.Json("dynamodb-event.json");
        json["Records"]![0]!["dynamodb"]!["ApproximateCreationDateTime"] = JsonNode.Parse(value);

        var record = Read(json.ToBytes()).Records[0].Dynamodb!;

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(expectedMilliseconds), record.ApproximateCreationDateTime);
    }

    [Fact]
    public void Stream_batch_written_back_keeps_the_wire_names_and_the_seconds_timestamp()
    {
        var batch = Read(Samples.Bytes("dynamodb-event.json"));

        var written = JsonNode.Parse(LambdaEventSerializer.Serialize(batch, LambdaJsonContext.Default.DynamoDBEvent))!;

        var original = Samples.Json("dynamodb-event.json");
        Assert.True(JsonNode.DeepEquals(original["Records"]![0]!["dynamodb"], written["Records"]![0]!["dynamodb"]));
        Assert.True(JsonNode.DeepEquals(original["Records"]![1]!["userIdentity"], written["Records"]![1]!["userIdentity"]));
        Assert.Equal("f07f8ca4b0b26cb9c4e5e77e69f274ee", (string)written["Records"]![0]!["eventID"]!);
        Assert.NotNull(written["Records"]![0]!["eventSourceARN"]);
    }
}
