using Amazon.DynamoDBv2.Model;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Tests.Support;
using Serverless.Data.Users;
using Serverless.Domain.Users;
using Serverless.Testing;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tests.Users;

/// <summary>A fresh table per test (so tests never share data), a movable clock and a recording client.</summary>
public abstract class UserRepositoryTestBase(DynamoDbLocalFixture dynamo, int shards = 1) : IAsyncLifetime
{
    // In the real clock's future on purpose: DynamoDB Local does delete items whose ttl has passed by the real clock
    // (seconds later, with a TTL REMOVE on the stream), so a soft-deleted user's ttl computed from an earlier date
    // would vanish under a test that expects the item to be there.
    protected static readonly DateTimeOffset Start = new(2099, 3, 20, 12, 0, 0, TimeSpan.Zero);

    protected ManualTimeProvider Clock { get; } = new(Start);

    protected TestTable Table { get; private set; } = null!;

    protected UserRepository Users { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Table = await TestTable.CreateAsync(dynamo, Ct);
        Access = new TableAccess(Table.Client, Table.Options(shards), Clock);
        Users = new UserRepository(Access);
        // The keyring is made on first use; made here, it stays out of the requests each test counts.
        Keyring = await Access.Privacy.KeysAsync(Ct);
        Table.Requests.Clear();
    }

    protected TableAccess Access { get; private set; } = null!;

    protected KeyringSnapshot Keyring { get; private set; } = null!;

    /// <summary>The email marker of <paramref name="email"/> under the active blind version.</summary>
    protected ItemKey MarkerOf(string email) => Keys.EmailMarker(UserProtection.EmailToken(Keyring, Keyring.ActiveBlind, email));

    public async ValueTask DisposeAsync()
    {
        // Every test's access patterns must be served without a Scan (the test's own counting uses another client).
        Assert.DoesNotContain("Scan", Table.Requests.Operations);
        await Table.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected static User NewUser(string email, string name = "Ada Lovelace", params string[] cities) => Samples.User(Guid.NewGuid(), email, name) with
    {
        Addresses = [.. cities.Select((city, i) => new Address { Type = AddressType.Home, Street = "1 Main St", City = city, Country = "GB", IsDefault = i == 0 })],
    };

    protected Task<User> CreateAtAsync(DateTimeOffset at, User user)
    {
        Clock.Set(at);
        return Users.CreateAsync(user, "test:creator", Ct);
    }

    /// <summary>
    /// Every item's key as one holding the keys reads it: each blind index shown as the value it indexes (the emails,
    /// name stems and cities of the table's users). The keyring's own items and each user's key item are left out.
    /// </summary>
    protected async Task<List<string>> ItemsAsync()
    {
        var items = await Table.AllItemsAsync(Ct);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in items.Where(i => i[Attr.EntityType].S == EntityTypes.User).Select(i => Guid.Parse(i[Attr.Id].S)))
        {
            var user = await Users.GetAsync(id, Ct) ?? throw new InvalidOperationException("A user item that does not read back.");
            var live = user with { Status = UserStatus.Active };
            names[UserProtection.EmailToken(Keyring, Keyring.ActiveBlind, user.Email)] = EmailAddress.Normalize(user.Email);
            foreach (var word in UserIndexItemMapper.WordsOf(live))
            {
                names[UserProtection.WordToken(Keyring, Keyring.ActiveBlind, word)] = word;
            }

            foreach (var city in UserIndexItemMapper.CitiesOf(live))
            {
                names[UserProtection.CityToken(Keyring, Keyring.ActiveBlind, city)] = city;
            }
        }

        string Readable(string key)
        {
            var hash = key.IndexOf('#', StringComparison.Ordinal);
            return hash >= 0 && names.TryGetValue(key[(hash + 1)..], out var value) ? key[..(hash + 1)] + value : key;
        }

        return [.. items
            .Where(i => i[Attr.EntityType].S is not (EntityTypes.KeyringVersion or EntityTypes.UserKey))
            .Select(i => Readable(i[Attr.PK].S) + " / " + Readable(i[Attr.SK].S))
            .Order(StringComparer.Ordinal)];
    }

    /// <param name="ignoring">Attributes left out of every item (e.g. the ones every write changes).</param>
    protected async Task<string> SnapshotAsync(params string[] ignoring)
    {
        var items = await Table.AllItemsAsync(Ct);
        return string.Join("\n", items
            .Select(i => ItemJson.Render(i.Where(a => !ignoring.Contains(a.Key)).ToDictionary()))
            .Order(StringComparer.Ordinal));
    }

    protected async Task SetTtlAsync(ItemKey key, DateTimeOffset expiresAt) =>
        await Table.Admin.UpdateItemAsync(
            new UpdateItemRequest
            {
                TableName = Table.Name,
                Key = key.ToAttributes(),
                UpdateExpression = "SET #ttl = :ttl",
                ExpressionAttributeNames = new() { ["#ttl"] = Attr.Ttl },
                ExpressionAttributeValues = new() { [":ttl"] = Data.Items.Av.EpochSeconds(expiresAt) },
            },
            Ct);
}
