using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data;
using Serverless.Data.Orders;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Users;

namespace Serverless.Testing;

/// <summary>Sealers for tests that write items in bulk, and the items they wrote opened again (PII decrypted).</summary>
public static class Sealing
{
    /// <summary>Keys of this test only: for items that are counted or compared, never read back through a repository.</summary>
    public static UserItemSealer Ephemeral() => new(KeyringSnapshot.Ephemeral());

    /// <summary>The table's own keyring (made on first use), so the repositories read what the test wrote.</summary>
    public static async Task<UserItemSealer> ForTableAsync(IAmazonDynamoDB client, string tableName, CancellationToken ct) =>
        new(await new FieldProtection(client, tableName, FieldProtection.DefaultLocalRootKey(), TimeProvider.System).KeysAsync(ct));

    /// <summary>A user or order item with its PII decrypted under the sealer's keys; any other item as it is.</summary>
    public static Dictionary<string, AttributeValue> Open(Dictionary<string, AttributeValue> item, UserItemSealer sealer)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(sealer);
        return item.GetValueOrDefault(Attr.EntityType)?.S switch
        {
            EntityTypes.User => UserProtection.Open(item, sealer.KeysOf(Guid.Parse(item[Attr.Id].S))),
            EntityTypes.Order => OrderProtection.Open(item, sealer.KeysOf(Guid.Parse(item[Attr.UserId].S))),
            _ => item,
        };
    }
}
