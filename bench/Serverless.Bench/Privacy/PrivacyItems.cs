using Amazon.DynamoDBv2.Model;
using System.Globalization;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Items;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Data.Writing;
using Serverless.Domain.Users;

namespace Serverless.Bench.Privacy;

/// <summary>
/// The users this section stores, in their two shapes: sealed (schema 3, as the repository writes them) and plaintext
/// (schema 2, as the table held them before encryption, with lookup keys holding the values themselves).
/// </summary>
internal static class PrivacyItems
{
    public const string Writer = "bench";

    /// <summary>A user with every PII field a create fills: email, name, phone, an address, metadata, a password hash.</summary>
    public static User Person(int n, DateTimeOffset createdAt) => BenchUsers.Create(n, createdAt, city: "City " + (n % 50).ToString(CultureInfo.InvariantCulture)) with
    {
        Phone = "+35191" + (n % 10_000_000).ToString("D7", CultureInfo.InvariantCulture),
        Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["source"] = "bench" },
        Version = 1,
        LastWriter = Writer,
    };

    /// <summary>The user item as schema 2 stored it (every field in clear, EmailIndex keyed by the normalized email).</summary>
    public static Dictionary<string, AttributeValue> PlaintextUser(User user)
    {
        var item = UserMapper.ToItem(user, 1);
        item[Attr.SchemaVersion] = Av.N(SchemaVersions.PlaintextUser);
        return item;
    }

    /// <summary>The user item, marker, word and city items before encryption: the keys hold the values (blind version 0 is the value itself).</summary>
    public static List<Dictionary<string, AttributeValue>> Plaintext(User user)
    {
        var marker = UserIndexItemMapper.EmailMarker(user, EmailAddress.Normalize(user.Email), 0);
        marker.Remove(Attr.BlindVersion);
        return
        [
            PlaintextUser(user),
            marker,
            .. UserIndexItemMapper.WordsOf(user).Select(w => UserIndexItemMapper.Word(user, w)),
            .. UserIndexItemMapper.CitiesOf(user).Select(c => UserIndexItemMapper.City(user, c)),
        ];
    }

    /// <summary>
    /// A create's transaction as the repository builds it, for items built in advance: the user item and (sealed) its
    /// key item only where none exists, the email marker where none is live, the rest unconditional.
    /// </summary>
    /// <param name="items">User item, then (when <paramref name="withKeyItem"/>) its key item, then the marker, then words and cities.</param>
    public static TransactWriteItemsRequest CreateTransaction(string table, IReadOnlyList<Dictionary<string, AttributeValue>> items, bool withKeyItem, DateTimeOffset now)
    {
        var conditions = new List<WriteCondition?> { WriteCondition.NotExists };
        if (withKeyItem)
        {
            conditions.Add(WriteCondition.NotExists);
        }

        conditions.Add(WriteCondition.NotExistsOrExpired(now));
        var actions = items.Select((item, i) => WriteAction.Put(table, item, i < conditions.Count ? conditions[i] : null, null).Item).ToList();
        return new TransactWriteItemsRequest { TransactItems = actions, ClientRequestToken = Guid.NewGuid().ToString("N") };
    }

    public static TableOptions Options(string table) => new() { TableName = table, CursorSigningKey = ApiHost.CursorKey };
}
