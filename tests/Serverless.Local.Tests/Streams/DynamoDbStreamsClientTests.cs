using Serverless.Local.Streams;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;
using static Serverless.Local.Tests.Support.StreamTables;

namespace Serverless.Local.Tests.Streams;

public sealed class DynamoDbStreamsClientTests(DynamoDbLocalFixture dynamo)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reads_a_written_item_back_from_the_tables_stream()
    {
        var table = await CreateAsync(dynamo.Client, "streams-client", _ct);
        await PutAsync(dynamo.Client, table, "USER#1", "PROFILE", _ct, ("name", S("Ada")));
        using var client = DynamoDbStreamsClient.ForLocal(dynamo.ServiceUrl);

        var listed = await client.ListStreamsAsync(new ListStreamsRequest { TableName = table }, _ct);
        var streamArn = Assert.Single(listed.Streams).StreamArn;
        Assert.Equal(await StreamArnAsync(dynamo.Client, table, _ct), streamArn);

        var shards = await client.ListAllShardsAsync(streamArn, _ct);
        Assert.NotEmpty(shards);
        var records = new List<StreamRecord>();
        foreach (var shard in shards)
        {
            var iterator = await client.GetShardIteratorAsync(
                new GetShardIteratorRequest { StreamArn = streamArn, ShardId = shard.ShardId, ShardIteratorType = ShardIteratorType.TrimHorizon },
                _ct);
            var page = await client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator.ShardIterator! }, _ct);
            records.AddRange(page.Records);
        }

        var record = Assert.Single(records);
        Assert.Equal("INSERT", record.EventName);
        Assert.Equal("USER#1", record.Dynamodb.Keys!.Value.GetProperty("PK").GetProperty("S").GetString());
        Assert.Equal("Ada", record.Dynamodb.NewImage!.Value.GetProperty("name").GetProperty("S").GetString());
        Assert.False(string.IsNullOrEmpty(record.Dynamodb.SequenceNumber));
        Assert.NotNull(record.Dynamodb.ApproximateCreationDateTime);
    }

    [Fact]
    public async Task DynamoDB_Local_stamps_records_to_the_minute_and_numbers_them_in_write_order()
    {
        // Why the audit trail orders by sequence number: the stream's own time cannot tell these writes apart.
        var table = await CreateAsync(dynamo.Client, "streams-minute", _ct);
        foreach (var n in Enumerable.Range(1, 3))
        {
            await PutAsync(dynamo.Client, table, "A", "1", _ct, ("n", N(n)));
        }

        using var client = DynamoDbStreamsClient.ForLocal(dynamo.ServiceUrl);
        var streamArn = await StreamArnAsync(dynamo.Client, table, _ct);
        var shard = (await client.ListAllShardsAsync(streamArn, _ct))[0];
        var start = await client.GetShardIteratorAsync(new GetShardIteratorRequest { StreamArn = streamArn, ShardId = shard.ShardId, ShardIteratorType = ShardIteratorType.TrimHorizon }, _ct);
        var records = (await client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = start.ShardIterator! }, _ct)).Records;

        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal(0d, r.Dynamodb.ApproximateCreationDateTime!.Value % 60));
        var numbers = records.Select(r => System.Numerics.BigInteger.Parse(r.Dynamodb.SequenceNumber, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(3, numbers.Distinct().Count());
    }

    [Fact]
    public async Task An_iterator_after_a_sequence_number_skips_that_record()
    {
        var table = await CreateAsync(dynamo.Client, "streams-after", _ct);
        await PutAsync(dynamo.Client, table, "A", "1", _ct);
        await PutAsync(dynamo.Client, table, "A", "2", _ct);
        using var client = DynamoDbStreamsClient.ForLocal(dynamo.ServiceUrl);
        var streamArn = await StreamArnAsync(dynamo.Client, table, _ct);
        var shard = (await client.ListAllShardsAsync(streamArn, _ct))[0];
        var start = await client.GetShardIteratorAsync(new GetShardIteratorRequest { StreamArn = streamArn, ShardId = shard.ShardId, ShardIteratorType = ShardIteratorType.TrimHorizon }, _ct);
        var first = (await client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = start.ShardIterator!, Limit = 1 }, _ct)).Records.Single();

        var after = await client.GetShardIteratorAsync(
            new GetShardIteratorRequest { StreamArn = streamArn, ShardId = shard.ShardId, ShardIteratorType = ShardIteratorType.AfterSequenceNumber, SequenceNumber = first.Dynamodb.SequenceNumber },
            _ct);
        var next = (await client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = after.ShardIterator! }, _ct)).Records;

        Assert.Equal("2", Assert.Single(next).Dynamodb.Keys!.Value.GetProperty("SK").GetProperty("S").GetString());
    }

    [Fact]
    public async Task An_unknown_stream_is_a_resource_not_found_error_with_the_services_type()
    {
        using var client = DynamoDbStreamsClient.ForLocal(dynamo.ServiceUrl);
        var missing = "arn:aws:dynamodb:ddblocal:000000000000:table/nope/stream/2020-01-01T00:00:00.000";

        var error = await Assert.ThrowsAsync<StreamResourceNotFoundException>(() => client.DescribeStreamAsync(new DescribeStreamRequest { StreamArn = missing }, _ct));

        Assert.Equal("ResourceNotFoundException", error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
    }
}
