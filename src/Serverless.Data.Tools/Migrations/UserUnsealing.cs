using Amazon.DynamoDBv2.Model;
using Serverless.Data.Items;
using Serverless.Data.Orders;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Data.Writing;
using Serverless.Domain.Users;

namespace Serverless.Data.Tools.Migrations;

/// <summary>
/// The rollback of <see cref="UserSealing.PlanSeal"/>: a sealed user back to the plaintext items it had (its schema
/// version from <c>sealedFrom</c>, 2 for a user sealed by a write), its key item deleted. On an item the migration
/// sealed it is the exact inverse: every attribute opened to the value it was sealed from, the tokens removed, the
/// lookup items re-keyed by the plaintext their tokens were made from (found again from the user's name and addresses).
/// </summary>
public static class UserUnsealing
{
    public static bool IsSealed(IReadOnlyDictionary<string, AttributeValue> profile) =>
        UserProtection.IsSealed(profile) || UserSealing.SchemaVersionOf(profile) > SchemaVersions.PlaintextUser;

    public static UserRewritePlan PlanOpen(StoredUserItems stored, KeyringSnapshot keyring, string tableName)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(keyring);
        var profile = stored.Profile;
        if (!IsSealed(profile))
        {
            return UserRewritePlan.NothingToDo;
        }

        if (stored.Seed is not { } seed)
        {
            return UserRewritePlan.Fail("has no key (erased): its fields cannot be opened.");
        }

        var id = stored.Id;
        var keys = new UserFieldKeys(keyring, id, seed);
        Dictionary<string, AttributeValue> open;
        User user;
        try
        {
            open = UserProtection.Open(profile, keys);
            user = UserMapper.FromItem(open);
        }
        catch (FieldDecryptionException e)
        {
            return UserRewritePlan.Fail(e.Message);
        }
        catch (InvalidItemException e)
        {
            return UserRewritePlan.Fail("does not read as a user: " + e.Message);
        }

        var from = profile.TryGetValue(Attr.SealedFrom, out var sealedFrom) && sealedFrom.N is { } n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : SchemaVersions.PlaintextUser;
        var item = new Dictionary<string, AttributeValue>(open, StringComparer.Ordinal);
        _ = item.Remove(Attr.EmailToken);
        _ = item.Remove(Attr.BlindVersion);
        _ = item.Remove(Attr.SealedFrom);
        if (item.ContainsKey(Attr.EmailKey))
        {
            item[Attr.EmailKey] = Av.S(EmailAddress.Normalize(user.Email));
        }

        item[Attr.SchemaVersion] = Av.N(from);
        if (from == 1 && item.TryGetValue(Attr.Phone, out var phone))
        {
            // Version 1 kept the phone in metadata.phone, where the seal took it from.
            var metadata = item.TryGetValue(Attr.Metadata, out var m) && m.M is { } map ? new Dictionary<string, AttributeValue>(map, StringComparer.Ordinal) : [];
            metadata[PhoneNumber.LegacyMetadataKey] = phone;
            item[Attr.Metadata] = Av.Map(metadata);
            _ = item.Remove(Attr.Phone);
        }

        var token = profile[Attr.EmailToken];
        var actions = new List<WriteAction>
        {
            // Still the sealed item read: a concurrent write wins (and a rerun finds the user plaintext, and does nothing).
            WriteAction.Put(tableName, item, UserSealing.AsRead(profile, with: "#emailToken = :token", new Dictionary<string, AttributeValue> { [":token"] = token }), null),
            WriteAction.Delete(tableName, UserKeyStore.KeyOf(id), WriteCondition.Exists, null),
        };
        actions.AddRange(UserSealing.MoveMarker(stored, id, Keys.EmailMarker(EmailAddress.Normalize(user.Email)), tableName, m => m.Remove(Attr.BlindVersion)));

        var deleteAfter = new List<ItemKey>();
        foreach (var term in stored.Terms)
        {
            var sealedTerm = term[Attr.Term].S;
            var version = BlindIndex.VersionOf(sealedTerm);
            if (version == 0)
            {
                continue;
            }

            var isWord = term[Attr.SK].S.StartsWith(KeyPrefix.Word, StringComparison.Ordinal);
            var plain = (isWord ? UserIndexItemMapper.WordsOf(user) : UserIndexItemMapper.CitiesOf(user))
                .FirstOrDefault(p => (isWord ? UserProtection.WordToken(keyring, version, p) : UserProtection.CityToken(keyring, version, p)) == sealedTerm);
            if (plain is null)
            {
                return UserRewritePlan.Fail(isWord ? "has a name-word item its name does not make." : "has a city item its addresses do not make.");
            }

            actions.Add(WriteAction.Put(tableName, UserSealing.Rekey(term, isWord, plain), null, null));
            deleteAfter.Add(new ItemKey(term[Attr.PK].S, term[Attr.SK].S));
        }

        var orderUpdates = new List<UpdateItemRequest>();
        foreach (var order in stored.Orders.Where(OrderProtection.IsSealed))
        {
            Dictionary<string, AttributeValue> opened;
            try
            {
                opened = OrderProtection.Open(order, keys);
            }
            catch (FieldDecryptionException e)
            {
                return UserRewritePlan.Fail("one of its orders: " + e.Message);
            }

            var copies = ProtectedFields.OrderCopies.Keys
                .Where(c => order.TryGetValue(c, out var v) && v.B is not null)
                .ToDictionary(c => c, c => opened[c], StringComparer.Ordinal);
            orderUpdates.Add(UserSealing.OrderCopiesUpdate(tableName, order, copies));
        }

        // Orders that do not fit are opened before the key goes (after it they could not be).
        var (inTransaction, before) = UserSealing.Split(orderUpdates, TransactionWriter.MaxActions - actions.Count);
        actions.AddRange(inTransaction.Select(u => new WriteAction(new TransactWriteItem { Update = UserSealing.AsTransactUpdate(u) }, null)));
        return new UserRewritePlan(new UserRewrite(tableName, before, actions, deleteAfter, [], NewSeed: null), null);
    }
}
