using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Client.Faults;
using Serverless.Data.Products;
using Serverless.Data.Table;
using Serverless.Data.Writing;
using Serverless.Domain;
using Serverless.Domain.Products;
using Serverless.DynamoDbLocal;
using Serverless.Testing;

namespace Serverless.Data.Tests.Client.Faults;

/// <summary>
/// A conditional put whose response is lost is sent again by the SDK and fails its condition against its own first
/// attempt; the writer tells that (exactly its item is stored) from a real conflict (another item is). A delete
/// cannot be told apart that way (a resend finds nothing, as a delete of nothing does): a product's goes in a
/// transaction whose request token makes the resend answer as the first attempt did.
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

    [Fact]
    public async Task A_versioned_update_whose_response_was_lost_succeeds_instead_of_failing_its_own_version_check()
    {
        await new ConditionalWriter(_table.Admin).PutAsync(_table.Name, Item("d", "before"), WriteCondition.NotExists, Conflict, Ct);
        var config = dynamo.Server.CreateConfig();
        var counters = FaultInjection.Attach(config, FaultOptions.Only(FaultClass.AppliedButLost, 1, seed: 5, "DynamoDB_20120810.UpdateItem") with { MaxFaults = 1 });
        using var client = new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config);

        await new ConditionalWriter(client).UpdateAsync(_table.Name, Key("d"), NoteAndVersion("after", 2), WriteCondition.VersionIs(1), Conflict, Ct);

        Assert.Equal(1, counters.Injected(FaultClass.AppliedButLost));
        var stored = await StoredAsync("d");
        Assert.Equal(("after", "2"), (stored?["note"].S, stored?[Attr.Version].N));
    }

    [Fact]
    public async Task A_versioned_update_that_finds_another_change_at_its_version_still_fails()
    {
        var writer = new ConditionalWriter(_table.Admin);
        await writer.PutAsync(_table.Name, Item("e", "before"), WriteCondition.NotExists, Conflict, Ct);
        await writer.UpdateAsync(_table.Name, Key("e"), NoteAndVersion("theirs", 2), WriteCondition.VersionIs(1), Conflict, Ct);

        await Assert.ThrowsAsync<ConflictException>(() => writer.UpdateAsync(_table.Name, Key("e"), NoteAndVersion("mine", 2), WriteCondition.VersionIs(1), Conflict, Ct));
        Assert.Equal("theirs", (await StoredAsync("e"))?["note"].S);
    }

    [Fact]
    public async Task An_update_that_does_not_set_the_version_is_never_taken_as_applied()
    {
        var writer = new ConditionalWriter(_table.Admin);
        await writer.PutAsync(_table.Name, Item("f", "same", version: 3), WriteCondition.NotExists, Conflict, Ct);
        var noteOnly = new ItemUpdate("SET #note = :note", new Dictionary<string, string> { ["#note"] = "note" }, new Dictionary<string, AttributeValue> { [":note"] = new("same") });

        await Assert.ThrowsAsync<ConflictException>(() => writer.UpdateAsync(_table.Name, Key("f"), noteOnly, WriteCondition.VersionIs(1), Conflict, Ct));
    }

    [Fact]
    public async Task A_product_delete_whose_response_was_lost_succeeds_instead_of_reporting_the_product_missing()
    {
        var clean = new ProductRepository(new TableAccess(_table.Admin, _table.Options(), TimeProvider.System));
        var product = await clean.CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Lamp", Price = 12m }, "test:setup", Ct);
        var config = dynamo.Server.CreateConfig();
        // The delete itself (after the stamp) is applied and its answer dropped; the SDK sends it again.
        var counters = FaultInjection.Attach(config, FaultOptions.Only(FaultClass.AppliedButLost, 1, seed: 9, "DynamoDB_20120810.TransactWriteItems") with { MaxFaults = 1 });
        using var client = new AmazonDynamoDBClient(DynamoDbLocalServer.LocalCredentials, config);

        await new ProductRepository(new TableAccess(client, _table.Options(), TimeProvider.System)).DeleteAsync(product.Id, product.Version, "test:faults", Ct);

        Assert.Equal(1, counters.Injected(FaultClass.AppliedButLost));
        Assert.True(counters.Eligible >= 2, $"the delete was not sent again ({counters.Eligible} requests)");
        Assert.Null(await clean.GetAsync(product.Id, Ct));
    }

    [Fact]
    public async Task A_product_delete_of_a_product_that_is_not_there_still_reports_it_missing()
    {
        var products = new ProductRepository(new TableAccess(_table.Admin, _table.Options(), TimeProvider.System));

        await Assert.ThrowsAsync<NotFoundException>(() => products.DeleteAsync(Guid.NewGuid(), 1, "test:faults", Ct));
    }

    private static Serverless.Data.Table.ItemKey Key(string id) => new($"LOST#{id}", "LOST");

    private static ItemUpdate NoteAndVersion(string note, int version) => new(
        "SET #note = :note, #version = :version",
        new Dictionary<string, string> { ["#note"] = "note", ["#version"] = Attr.Version },
        new Dictionary<string, AttributeValue> { [":note"] = new(note), [":version"] = new() { N = version.ToString(System.Globalization.CultureInfo.InvariantCulture) } });

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
