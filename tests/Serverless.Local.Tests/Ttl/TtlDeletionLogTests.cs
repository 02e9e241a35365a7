using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Serverless.Local.Streams;
using Serverless.Local.Ttl;
using Xunit;

namespace Serverless.Local.Tests.Ttl;

public sealed class TtlDeletionLogTests
{
    private static readonly Dictionary<string, AttributeValue> Key = new() { ["PK"] = new() { S = "USER#1" }, ["SK"] = new() { S = "PROFILE" } };

    [Fact]
    public void A_remove_of_the_same_key_and_expiry_in_the_same_table_is_a_ttl_deletion()
    {
        var log = new TtlDeletionLog();
        log.Add("T", Key, "1700000000");

        Assert.True(log.IsTtlDeletion("T", Remove("USER#1", "1700000000")));
        Assert.False(log.IsTtlDeletion("Other", Remove("USER#1", "1700000000")));
        Assert.False(log.IsTtlDeletion("T", Remove("USER#2", "1700000000")));
    }

    [Fact]
    public void A_later_delete_of_the_item_recreated_with_another_expiry_is_not_a_ttl_deletion()
    {
        var log = new TtlDeletionLog();
        log.Add("T", Key, "1700000000");

        Assert.False(log.IsTtlDeletion("T", Remove("USER#1", "1800000000")));
    }

    [Fact]
    public void A_deletion_whose_condition_failed_is_forgotten()
    {
        var log = new TtlDeletionLog();
        log.Add("T", Key, "1700000000");
        log.Remove("T", Key, "1700000000");

        Assert.False(log.IsTtlDeletion("T", Remove("USER#1", "1700000000")));
    }

    private static StreamRecord Remove(string pk, string ttl)
    {
        using var keys = JsonDocument.Parse($$$"""{"SK":{"S":"PROFILE"},"PK":{"S":"{{{pk}}}"}}""");
        using var old = JsonDocument.Parse($$$"""{"PK":{"S":"{{{pk}}}"},"SK":{"S":"PROFILE"},"ttl":{"N":"{{{ttl}}}"}}""");
        return new StreamRecord
        {
            EventName = "REMOVE",
            Dynamodb = new StreamRecordData { Keys = keys.RootElement.Clone(), OldImage = old.RootElement.Clone(), SequenceNumber = "1" },
        };
    }
}
