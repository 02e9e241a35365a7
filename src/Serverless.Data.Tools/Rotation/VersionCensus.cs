using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Users;

namespace Serverless.Data.Tools.Rotation;

/// <summary>
/// How many items use each keyring version: per field version, the user items and order headers holding a ciphertext
/// under it (an item half moved counts under both); per blind version, the user items, email markers, name-word and
/// city items keyed under it. Plaintext items (from before encryption) count under neither.
/// </summary>
public sealed record VersionCensus(IReadOnlyDictionary<int, long> Field, IReadOnlyDictionary<int, long> Blind)
{
    public long ItemsUnder(KeyPurpose purpose, int version) =>
        (purpose == KeyPurpose.Field ? Field : Blind).GetValueOrDefault(version);

    /// <summary>A scan of the whole table, reading only the attributes that carry a version.</summary>
    public static async Task<VersionCensus> TakeAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var names = new Dictionary<string, string>
        {
            ["#pk"] = Attr.PK,
            ["#et"] = Attr.EntityType,
            ["#bv"] = Attr.BlindVersion,
            ["#term"] = Attr.Term,
        };
        var fields = ProtectedFields.User.Concat(ProtectedFields.OrderCopies.Keys).ToList();
        for (var i = 0; i < fields.Count; i++)
        {
            names["#f" + i] = fields[i];
        }

        var field = new Dictionary<int, long>();
        var blind = new Dictionary<int, long>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await client.ScanAsync(
                new ScanRequest
                {
                    TableName = tableName,
                    ProjectionExpression = string.Join(", ", names.Keys),
                    ExpressionAttributeNames = names,
                    ExclusiveStartKey = start,
                    ConsistentRead = true,
                    Limit = ScanPages.Limit,
                },
                cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                Count(item, fields, field, blind);
            }

            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        return new VersionCensus(field, blind);
    }

    private static void Count(Dictionary<string, AttributeValue> item, List<string> fields, Dictionary<int, long> field, Dictionary<int, long> blind)
    {
        var type = item.GetValueOrDefault(Attr.EntityType)?.S;
        if (type is EntityTypes.User or EntityTypes.Order)
        {
            foreach (var version in UserRepository.FieldVersionsOf(item, fields).Distinct())
            {
                field[version] = field.GetValueOrDefault(version) + 1;
            }
        }

        var blindVersion = type switch
        {
            EntityTypes.User or EntityTypes.EmailMarker => UserProtection.BlindVersionOf(item),
            EntityTypes.UserWord or EntityTypes.UserCity => item.TryGetValue(Attr.Term, out var term) ? BlindIndex.VersionOf(term.S) : 0,
            _ => 0,
        };
        if (blindVersion > 0)
        {
            blind[blindVersion] = blind.GetValueOrDefault(blindVersion) + 1;
        }
    }
}
