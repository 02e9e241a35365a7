using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Client.Faults;
using Serverless.Data.Table;
using Serverless.Data.Writing;
using Serverless.Domain;
using Serverless.DynamoDbLocal;
using Serverless.Testing;

namespace Serverless.Data.Tests.Client.Faults;

/// <summary>
/// A conditional put whose response is lost is sent again by the SDK and fails its condition against its own first
/// attempt; the writer tells that (exactly its item is stored) from a real conflict (another item is).
/// </summary>
public sealed class LostResponseRetryTests(DynamoDbLocalFixture dynamo) : IAsyncLifetime
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private TestTable _table = null!;

    public async ValueTask InitializeAsync() => _table = await TestTable.CreateAsync(dynamo, withStream: false, Ct);

    public ValueTask DisposeAsync() => _table.DisposeAsync();

    [Fact]
    public async Task A_create_put_whose_response_was_lost_succeeds_instead_of_conflicting_with_itself()
    {
        var config = dynamo.Server.CreateConfig();
        // The first put is applied and its answer dropped; the SDK's resend then meets the first attempt's item.
        var counters = FaultInjection.Attach(config, FaultOptions.Only(FaultClass.AppliedButLost, 1, seed: 3, "DynamoDB_20120810.PutItem") with { MaxFaults = 1 });
        using var client = new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config);

        await new ConditionalWriter(client).PutAsync(_table.Name, Item("a", "mine"), WriteCondition.NotExists, Conflict, Ct);

        Assert.Equal(1, counters.Injected(FaultClass.AppliedButLost));
        Assert.Equal(2, counters.Eligible);
        Assert.Equal("mine", (await StoredAsync("a"))?["note"].S);
    }

    [Fact]
    public async Task A_put_that_finds_another_item_under_its_key_still_conflicts()
    {
        var writer = new ConditionalWriter(_table.Admin);
        await writer.PutAsync(_table.Name, Item("b", "theirs"), WriteCondition.NotExists, Conflict, Ct);

        await Assert.ThrowsAsync<ConflictException>(() => writer.PutAsync(_table.Name, Item("b", "mine"), WriteCondition.NotExists, Conflict, Ct));
        Assert.Equal("theirs", (await StoredAsync("b"))?["note"].S);
    }

    [Fact]
    public async Task A_put_of_the_same_item_apart_from_its_stamps_still_conflicts()
    {
        var writer = new ConditionalWriter(_table.Admin);
        await writer.PutAsync(_table.Name, Item("c", "same", version: 1), WriteCondition.NotExists, Conflict, Ct);

        await Assert.ThrowsAsync<ConflictException>(() => writer.PutAsync(_table.Name, Item("c", "same", version: 2), WriteCondition.NotExists, Conflict, Ct));
    }

    private static readonly ConditionFailureTranslator Conflict = ConditionFailures.Conflict("Taken.", "id");

    private static Dictionary<string, AttributeValue> Item(string id, string note, int version = 1) => new()
    {
        [Attr.PK] = new AttributeValue($"LOST#{id}"),
        [Attr.SK] = new AttributeValue("LOST"),
        [Attr.Version] = new AttributeValue { N = version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        ["note"] = new AttributeValue(note),
    };

    private async Task<Dictionary<string, AttributeValue>?> StoredAsync(string id)
    {
        var response = await _table.Admin.GetItemAsync(
            new GetItemRequest { TableName = _table.Name, Key = new() { [Attr.PK] = new AttributeValue($"LOST#{id}"), [Attr.SK] = new AttributeValue("LOST") }, ConsistentRead = true },
            Ct);
        return response.IsItemSet ? response.Item : null;
    }
}
