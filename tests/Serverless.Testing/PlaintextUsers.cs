using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Serverless.Data.Orders;
using Serverless.Data.Table;
using Serverless.Data.Tools.Seeding;
using Serverless.Data.Users;
using Serverless.Data.Writing;
using Serverless.Domain.Orders;
using Serverless.Domain.Search;
using Serverless.Domain.Users;

namespace Serverless.Testing;

/// <summary>
/// Users as the code before encryption stored them, written directly (not through the migration's code): the user
/// item in clear (schema version 1 like <see cref="V1Users"/>, phone in metadata, for even indexes; version 2, phone an
/// attribute, for odd ones), its email marker under the normalized address (no blind version), one item per name word
/// and per city under the plain term, and, for every 10th user, an order whose header copies the email and name in clear.
/// Each user has a name word of its own (<see cref="UniqueWord"/>) and shares its city with at most 9 others.
/// </summary>
public static class PlaintextUsers
{
    public const int Cities = 1000;
    public const int OrderEvery = 10;

    public static Guid IdOf(int index) => DeterministicIds.For(98, "plaintext-user", index);

    public static string EmailOf(int index) => FormattableString.Invariant($"Person.{index}@Example.com");

    public static string CityOf(int index) => "Town " + Letters(index % Cities);

    /// <summary>A word found in this user's name only (letters, so stemming leaves it one word).</summary>
    public static string UniqueWord(int index) => "Zed" + Letters(index);

    public static User UserOf(int index)
    {
        var createdAt = new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero).AddMinutes(index);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["source"] = "import" };
        string? phone = null;
        if (index % 7 != 0)
        {
            var number = FormattableString.Invariant($"+4420{index:0000000}");
            if (index % 2 == 0)
            {
                // Version 1: in metadata, and now and then not E.164 (it stays there, as reading a v1 item leaves it).
                metadata[PhoneNumber.LegacyMetadataKey] = index % 20 == 0 ? "020 7946 0958" : number;
            }
            else
            {
                phone = number;
            }
        }

        return Telemetry.TelemetryTap.Process.Secrets.User(new User
        {
            Id = IdOf(index),
            Email = EmailOf(index),
            Name = "Ada " + UniqueWord(index),
            PasswordHash = "$2b$12$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0",
            Phone = phone,
            Metadata = metadata,
            Addresses = index % 50 == 1 ? [] : [new Address { Type = AddressType.Home, Street = "1 High Street", City = CityOf(index), Country = "GB", IsDefault = true }],
            Balance = index % 100,
            CreatedAt = createdAt,
            UpdatedAt = createdAt,
            Version = 1 + (index % 3),
            LastWriter = "legacy-app",
        });
    }

    public static List<Dictionary<string, AttributeValue>> Build(int count)
    {
        var items = new List<Dictionary<string, AttributeValue>>(count * 5);
        for (var i = 0; i < count; i++)
        {
            var user = UserOf(i);
            var profile = UserMapper.ToItem(user, createdDateShards: 1);
            profile[Attr.SchemaVersion] = new AttributeValue { N = i % 2 == 0 ? "1" : "2" };
            items.Add(profile);
            var marker = UserIndexItemMapper.EmailMarker(user, EmailAddress.Normalize(user.Email), 0);
            _ = marker.Remove(Attr.BlindVersion);
            items.Add(marker);
            items.AddRange(UserIndexItemMapper.WordsOf(user).Select(w => UserIndexItemMapper.Word(user, w)));
            items.AddRange(UserIndexItemMapper.CitiesOf(user).Select(c => UserIndexItemMapper.City(user, c)));
            if (i % OrderEvery == 0)
            {
                var order = new Order
                {
                    Id = DeterministicIds.For(98, "plaintext-order", i),
                    UserId = user.Id,
                    UserEmail = user.Email,
                    UserName = user.Name,
                    UserVersion = user.Version,
                    Total = 12.5m,
                    OrderedAt = user.CreatedAt.AddDays(1),
                    CreatedAt = user.CreatedAt.AddDays(1),
                    UpdatedAt = user.CreatedAt.AddDays(1),
                    Version = 1,
                    Items = [new OrderItem { ProductId = DeterministicIds.For(98, "product", 1), ProductName = "Kettle", Quantity = 1, UnitPrice = 12.5m }],
                };
                items.AddRange(OrderMapper.ToItems(order));
            }
        }

        return items;
    }

    public static async Task<List<Dictionary<string, AttributeValue>>> WriteAsync(IAmazonDynamoDB client, string tableName, int count, CancellationToken cancellationToken)
    {
        var items = Build(count);
        await new BatchWriter(client, new BatchWriteOptions(), TimeProvider.System).PutAllAsync(tableName, items, null, cancellationToken);
        return items;
    }

    /// <summary>Each plaintext value of the user's PII, as it would appear in a raw item if it were in clear.</summary>
    public static IEnumerable<string> PiiOf(int index)
    {
        var user = UserOf(index);
        yield return user.Email;
        yield return EmailAddress.Normalize(user.Email);
        yield return UniqueWord(index);
        foreach (var word in SearchTerms.Of(UniqueWord(index)))
        {
            yield return word;
        }
    }

    private static string Letters(int value)
    {
        var text = new System.Text.StringBuilder();
        do
        {
            text.Insert(0, (char)('a' + (value % 26)));
            value /= 26;
        }
        while (value > 0);

        return text.ToString().PadLeft(3, 'a');
    }
}
