using Amazon.DynamoDBv2.Model;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Data.Writing;
using Serverless.Domain.Orders;
using Serverless.Domain.Users;
using Serverless.Testing;
using Serverless.Testing.Domain;

namespace Serverless.Data.Tools.Tests.Rotation;

/// <summary>
/// Users (one address, a two-word name) and, for every 20th, an order, sealed under the table's keyring version 1
/// and written in bulk (BatchWriteItem, as the seed writes): what a rotation finds on a table in use.
/// </summary>
internal sealed class RotationData
{
    public const int OrderEvery = 20;

    private RotationData(IReadOnlyList<User> users, IReadOnlyList<Order> orders)
    {
        Users = users;
        Orders = orders;
    }

    public IReadOnlyList<User> Users { get; }

    public IReadOnlyList<Order> Orders { get; }

    public static async Task<RotationData> WriteAsync(TestTable table, IRootKey root, int count, CancellationToken ct)
    {
        var sealer = new UserItemSealer(await new FieldProtection(table.Admin, table.Name, root, TimeProvider.System).KeysAsync(ct));
        var users = new List<User>(count);
        var orders = new List<Order>();
        var items = new List<Dictionary<string, AttributeValue>>();
        for (var i = 0; i < count; i++)
        {
            var user = Samples.User(Guid.NewGuid(), $"rotation.user{i}@example.com", $"Rotation Person{i}") with
            {
                Addresses = [new Address { Type = AddressType.Home, Street = "1 Main Street", City = "City " + (i % 50), Country = "GB", IsDefault = true }],
                Version = 1,
            };
            users.Add(user);
            items.AddRange(sealer.ForUser(user, createdDateShards: 1));
            if (i % OrderEvery == 0)
            {
                var order = Samples.Order() with { Id = Guid.NewGuid(), UserId = user.Id, UserEmail = user.Email, UserName = user.Name, UserVersion = user.Version };
                orders.Add(order);
                items.AddRange(sealer.ForOrder(order));
            }
        }

        await new BatchWriter(table.Admin, new BatchWriteOptions(), TimeProvider.System).PutAllAsync(table.Name, items, null, ct);
        return new RotationData(users, orders);
    }

    /// <summary>
    /// Every user, marker, word, city and order item of the table under exactly these versions, each order's copies
    /// being its user's own ciphertexts byte for byte; the problems found, by item key (never by value).
    /// </summary>
    public static async Task<List<string>> ItemsNotUnderAsync(TestTable table, int field, int blind, CancellationToken ct)
    {
        var items = await table.AllItemsAsync(ct);
        var users = items.Where(i => i[Attr.EntityType].S == EntityTypes.User).ToDictionary(i => i[Attr.Id].S);
        var problems = new List<string>();
        foreach (var item in items)
        {
            var key = item[Attr.PK].S + " / " + item[Attr.SK].S;
            switch (item[Attr.EntityType].S)
            {
                case EntityTypes.User:
                    if (UserRepository.FieldVersionsOf(item, ProtectedFields.User).Any(v => v != field) || UserProtection.BlindVersionOf(item) != blind
                        || BlindIndex.VersionOf(item[Attr.EmailToken].S) != blind || (item.TryGetValue(Attr.EmailKey, out var emailKey) && emailKey.S != item[Attr.EmailToken].S))
                    {
                        problems.Add(key);
                    }

                    break;
                case EntityTypes.EmailMarker:
                    if (UserProtection.BlindVersionOf(item) != blind || BlindIndex.VersionOf(item[Attr.PK].S["EMAIL#".Length..]) != blind)
                    {
                        problems.Add(key);
                    }

                    break;
                case EntityTypes.UserWord or EntityTypes.UserCity:
                    if (BlindIndex.VersionOf(item[Attr.Term].S) != blind)
                    {
                        problems.Add(key);
                    }

                    break;
                case EntityTypes.Order:
                    var user = users[item[Attr.UserId].S];
                    if (UserRepository.FieldVersionsOf(item, ProtectedFields.OrderCopies.Keys).Any(v => v != field)
                        || !item[Attr.UserEmail].B.ToArray().SequenceEqual(user[Attr.Email].B.ToArray())
                        || !item[Attr.UserName].B.ToArray().SequenceEqual(user[Attr.Name].B.ToArray()))
                    {
                        problems.Add(key);
                    }

                    break;
            }
        }

        return problems;
    }
}
