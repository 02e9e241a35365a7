using System.Security.Cryptography;
using Serverless.Data.Orders;
using Serverless.Data.Privacy;
using Serverless.Domain.Orders;
using Serverless.Domain.Users;

namespace Serverless.Data.Users;

/// <summary>
/// The stored items of users and their orders, sealed as the repositories seal them, for writers that bypass the
/// repositories in bulk (seeding, benchmarks, the encryption migration). Each user's seed is derived from the user id
/// under a secret of this sealer's own that is never stored: the seed items are the only lasting copies, so purging a
/// user still erases it, and a million users need no million seeds in memory.
/// </summary>
public sealed class UserItemSealer
{
    private readonly byte[] _runSecret = RandomNumberGenerator.GetBytes(32);

    public UserItemSealer(KeyringSnapshot keys) => Keys_ = keys ?? throw new ArgumentNullException(nameof(keys));

    private KeyringSnapshot Keys_ { get; }

    /// <summary>The seed this sealer gives <paramref name="userId"/>.</summary>
    public byte[] SeedOf(Guid userId)
    {
        Span<byte> id = stackalloc byte[16];
        userId.TryWriteBytes(id, bigEndian: true, out _);
        return HMACSHA256.HashData(_runSecret, id);
    }

    public UserFieldKeys KeysOf(Guid userId) => new(Keys_, userId, SeedOf(userId));

    /// <summary>The user item, its key item, and what its create transaction writes with it: marker, one item per word and per city.</summary>
    public IEnumerable<Dictionary<string, AttributeValue>> ForUser(User user, int createdDateShards)
    {
        ArgumentNullException.ThrowIfNull(user);
        var keys = KeysOf(user.Id);
        var item = UserProtection.Seal(UserMapper.ToItem(user, createdDateShards), keys);
        yield return item;
        yield return UserKeyStore.ToItem(user.Id, SeedOf(user.Id), user.CreatedAt);
        yield return UserIndexItemMapper.EmailMarker(user, item[Attr.EmailToken].S, Keys_.ActiveBlind);
        foreach (var word in UserProtection.WordTokens(Keys_, Keys_.ActiveBlind, user))
        {
            yield return UserIndexItemMapper.Word(user, word);
        }

        foreach (var city in UserProtection.CityTokens(Keys_, Keys_.ActiveBlind, user))
        {
            yield return UserIndexItemMapper.City(user, city);
        }
    }

    /// <summary>The order's header (its copies of the user's email and name sealed under the user's key) and lines.</summary>
    public IEnumerable<Dictionary<string, AttributeValue>> ForOrder(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var items = OrderMapper.ToItems(order);
        yield return OrderProtection.Seal(items[0], KeysOf(order.UserId));
        foreach (var line in items.Skip(1))
        {
            yield return line;
        }
    }
}
