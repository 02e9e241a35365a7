using System.Text;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Orders;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.Lambda.Events;
using Serverless.Streams.Decoding;
using Serverless.Streams.Tests.Support;
using Serverless.Testing.Lambda;

namespace Serverless.Streams.Tests.Decoding;

public sealed class StreamRecordDecoderTests
{
    [Fact]
    public void Every_attribute_type_of_the_sample_insert_decodes_to_the_sdk_value()
    {
        var change = StreamRecordDecoder.Decode(Samples.Event(Samples.StreamEvent).Records[0]);

        Assert.Equal(ChangeKind.Insert, change.Kind);
        Assert.Equal("f07f8ca4b0b26cb9c4e5e77e69f274ee", change.EventId);
        Assert.Equal("1405400000000002063282832", change.SequenceNumber);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1480642020), change.ChangedAt);
        Assert.Null(change.OldItem);
        var item = change.NewItem!;
        Assert.Equal("data", item["val"].S);
        Assert.Equal("binary", item["key"].S);
        Assert.Equal(Convert.FromBase64String("AAEqQQ=="), item["asdf1"].B.ToArray());
        Assert.Equal(["AAEqQQ==", "QSoBAA=="], item["asdf2"].BS.Select(b => Convert.ToBase64String(b.ToArray())));
        Assert.NotNull(item["misc1"].L);
        Assert.Empty(item["misc1"].L);
        var map = item["misc2"].M;
        Assert.Empty(map["ItemsEmpty"].L);
        Assert.Equal(["Cookies", "Coffee"], map["ItemsNonEmpty"].L.Take(2).Select(v => v.S));
        Assert.Equal("3.14159", map["ItemsNonEmpty"].L[2].N);
        Assert.False(map["ItemBoolean"].BOOL);
        Assert.Equal(["0", "50", "150"], map["ItemNumberSet"].NS);
        Assert.True(map["ItemNull"].NULL);
        Assert.Equal(["Hippo", "Zebra"], map["ItemStringSet"].SS);
    }

    [Fact]
    public void The_sample_ttl_removal_is_a_ttl_deletion_made_by_system_ttl()
    {
        var change = StreamRecordDecoder.Decode(Samples.Event(Samples.StreamEvent).Records[1]);

        Assert.Equal(ChangeKind.Remove, change.Kind);
        Assert.True(change.IsTimeToLiveDeletion);
        Assert.Equal(Writers.TimeToLive, change.ChangedBy);
        Assert.Null(change.NewItem);
        Assert.Equal(3, change.OldItem!["asdf2"].BS.Count);
    }

    [Fact]
    public void The_sample_records_are_not_items_of_our_table_so_they_decode_with_no_entity_type()
    {
        var changes = Samples.Event(Samples.StreamEvent).Records.Concat(Samples.Event(Samples.TimeWindowEvent).Records)
            .Select(StreamRecordDecoder.Decode)
            .ToList();

        Assert.All(changes, c => Assert.Null(c.EntityType));
        Assert.All(changes, c => Assert.Null(c.Key));
        Assert.All(changes, c => Assert.Throws<StreamRecordDecodingException>(() => c.ReadNew()));
    }

    [Fact]
    public void The_tumbling_window_sample_decodes_insert_modify_and_remove_with_their_images()
    {
        var streamEvent = Samples.Event(Samples.TimeWindowEvent);
        var changes = streamEvent.Records.Select(StreamRecordDecoder.Decode).ToList();

        Assert.Equal([ChangeKind.Insert, ChangeKind.Modify, ChangeKind.Remove], changes.Select(c => c.Kind));
        Assert.Equal("New item!", changes[1].OldItem!["Message"].S);
        Assert.Equal("This item has changed", changes[1].NewItem!["Message"].S);
        Assert.Equal("101", changes[2].OldItem!["Id"].N);
        Assert.All(changes, c => Assert.False(c.IsTimeToLiveDeletion));
        // The sample carries no ApproximateCreationDateTime; a consumer that needs the time must say so itself.
        Assert.All(changes, c => Assert.Null(c.ChangedAt));
        Assert.Equal("shard123456789", streamEvent.ShardId);
        Assert.Equal("state1", streamEvent.State!["1"]);
    }

    [Theory]
    [InlineData("1480642020", 1480642020_000)]
    [InlineData("1480642020123", 1480642020_123)]
    [InlineData("1480642020.5", 1480642020_500)]
    public void Approximate_creation_time_in_seconds_or_milliseconds_is_the_same_instant(string sent, long expectedMilliseconds)
    {
        var json = $$$"""{"Records":[{"eventID":"e1","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":{{{sent}}},"SequenceNumber":"1"}}]}""";
        var record = LambdaEventSerializer.Deserialize(Encoding.UTF8.GetBytes(json), LambdaJsonContext.Default.DynamoDBEvent).Records[0];

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(expectedMilliseconds), StreamRecordDecoder.Decode(record).ChangedAt);
    }

    [Fact]
    public void A_user_item_decodes_to_the_user_with_its_key_type_and_writer()
    {
        var user = TestData.NewUser() with { Version = 3, LastWriter = "user:admin", CreatedAt = DateTimeOffset.UnixEpoch.AddDays(20000) };
        var item = UserMapper.ToItem(user, createdDateShards: 1);

        var change = StreamRecordDecoder.Decode(StreamEvents.Record("INSERT", null, item));

        Assert.Equal(EntityTypes.User, change.EntityType);
        Assert.True(change.IsKnownEntityType);
        Assert.Equal(Keys.User(user.Id), change.Key);
        Assert.Equal("user:admin", change.ChangedBy);
        Assert.Equal(user.Id.ToString("D"), change.RecordId());
        var decoded = change.ReadNew<User>()!;
        Assert.Equal(user.Email, decoded.Email);
        Assert.Equal(user.Addresses, decoded.Addresses);
        Assert.Equal(3, decoded.Version);
    }

    [Fact]
    public void A_removal_by_a_caller_is_attributed_to_the_last_writer_of_the_removed_version()
    {
        var item = UserMapper.ToItem(TestData.NewUser() with { LastWriter = "user:bob" }, createdDateShards: 1);

        var change = StreamRecordDecoder.Decode(StreamEvents.Record("REMOVE", item, null));

        Assert.False(change.IsTimeToLiveDeletion);
        Assert.Equal("user:bob", change.ChangedBy);
    }

    [Fact]
    public void An_item_without_a_last_writer_is_attributed_to_system_unknown()
    {
        var item = UserMapper.ToItem(TestData.NewUser() with { LastWriter = null }, createdDateShards: 1);

        Assert.Equal(Writers.Unknown, StreamRecordDecoder.Decode(StreamEvents.Record("MODIFY", item, item)).ChangedBy);
    }

    [Fact]
    public void An_unknown_entity_type_is_reported_as_unknown_and_has_no_reader()
    {
        var item = new Dictionary<string, AttributeValue>
        {
            [Attr.PK] = new() { S = "SHIP#1" },
            [Attr.SK] = new() { S = "SHIP" },
            [Attr.EntityType] = new() { S = "Spaceship" },
        };

        var change = StreamRecordDecoder.Decode(StreamEvents.Record("INSERT", null, item));

        Assert.Equal("Spaceship", change.EntityType);
        Assert.False(change.IsKnownEntityType);
        Assert.Throws<StreamRecordDecodingException>(() => change.ReadNew());
    }

    [Fact]
    public void A_corrupt_item_of_a_known_type_fails_to_read_without_quoting_its_values()
    {
        var item = UserMapper.ToItem(TestData.NewUser(email: "grace@example.com"), createdDateShards: 1);
        item.Remove(Attr.Name);

        var change = StreamRecordDecoder.Decode(StreamEvents.Record("INSERT", null, item));

        var error = Assert.Throws<StreamRecordDecodingException>(() => change.ReadNew<User>());
        Assert.Contains("User", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("grace@example.com", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Index_items_decode_to_the_user_they_index()
    {
        var user = TestData.NewUser(email: "Ada@Example.com");
        var marker = UserIndexItemMapper.EmailMarker(user, "1.blind-index-of-the-email", 1);

        var entry = StreamRecordDecoder.Decode(StreamEvents.Record("INSERT", null, marker)).ReadNew<UserIndexEntry>()!;

        // The term is the blind index, as the key holds it: the email itself is in no index item.
        Assert.Equal(new UserIndexEntry(EntityTypes.EmailMarker, user.Id, "1.blind-index-of-the-email"), entry);
    }

    [Fact]
    public void Order_items_and_role_links_are_named_by_both_of_their_ids()
    {
        var orderId = Guid.NewGuid();
        var productId = Guid.NewGuid();
        var order = new Serverless.Domain.Orders.Order
        {
            Id = orderId,
            UserId = Guid.NewGuid(),
            UserEmail = "a@example.com",
            UserName = "A",
            Items = [new Serverless.Domain.Orders.OrderItem { ProductId = productId, ProductName = "Tea", Quantity = 1, UnitPrice = 2m }],
        };
        var line = OrderMapper.ToLineItem(order, order.Items[0]);

        Assert.Equal($"{orderId:D}/{productId:D}", StreamRecordDecoder.Decode(StreamEvents.Record("INSERT", null, line)).RecordId());
    }
}
