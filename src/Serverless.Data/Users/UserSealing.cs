using Serverless.Data.Privacy;
using Serverless.Domain.Users;

namespace Serverless.Data.Users;

/// <summary>A user's items as stored: everything that moves when the user is sealed (or, by the rollback, opened again).</summary>
/// <param name="Seed">The user's key (USER#id / PROFILE#KEY); null when the user has none.</param>
/// <param name="Marker">The email marker the profile's email points at (its plaintext key, or its token); null when there is none.</param>
/// <param name="Terms">The user's name-word and city items (USER#id / WORD#..., CITY#...).</param>
/// <param name="Orders">The headers of the user's orders (GSI1 USER#id / ORDER#...), which copy its email and name.</param>
public sealed record StoredUserItems(
    Dictionary<string, AttributeValue> Profile,
    byte[]? Seed,
    Dictionary<string, AttributeValue>? Marker,
    IReadOnlyList<Dictionary<string, AttributeValue>> Terms,
    IReadOnlyList<Dictionary<string, AttributeValue>> Orders)
{
    public Guid Id => new ItemReader(Profile).Guid(Attr.Id);
}

/// <summary>
/// The writes that move one user from one shape to the other. <see cref="Transaction"/> is the change itself, its
/// first action the user item, conditional on the item as it was read: if anyone wrote the user meanwhile, nothing
/// is written. The index items of the new shape are put in it, and those of the old shape deleted just after
/// (<see cref="DeleteAfter"/>), so a lookup that tries both shapes at the same instant finds the user under one of them.
/// Order headers beyond what one transaction holds are updated one by one: before it when they are opened (the key
/// is still there), after it when they are sealed (the key is there by then).
/// </summary>
public sealed record UserRewrite(
    string TableName,
    IReadOnlyList<UpdateItemRequest> OrdersBefore,
    IReadOnlyList<WriteAction> Transaction,
    IReadOnlyList<ItemKey> DeleteAfter,
    IReadOnlyList<UpdateItemRequest> OrdersAfter,
    byte[]? NewSeed);

/// <summary>What planning a user's rewrite found: a rewrite, nothing to do, or why the user cannot be rewritten (never a value).</summary>
public sealed record UserRewritePlan(UserRewrite? Rewrite, string? Failure)
{
    public static UserRewritePlan NothingToDo { get; } = new(null, null);

    public static UserRewritePlan Fail(string reason) => new(null, reason);

    public bool IsNothingToDo => Rewrite is null && Failure is null;
}

/// <summary>
/// A plaintext user (schema version 2 or older, docs/privacy.md "Items from before encryption") moved to the sealed
/// shape as raw items: each PII field sealed as it is stored, the tokens added, the lookup items re-keyed by blind
/// index with every other attribute kept, the user's key made, the orders' copies sealed. Nothing else changes (not
/// <c>version</c>, <c>updatedAt</c>, <c>lastWriter</c>: the user did not change), and the plaintext schema version is
/// kept in <c>sealedFrom</c>, so the rollback can restore the exact items. Used by the read path (sealing on read)
/// and by the migration's backfill.
/// </summary>
public static class UserSealing
{
    private static readonly string[] TermPrefixes = [KeyPrefix.Word, KeyPrefix.City];

    /// <summary>True for a user item from before encryption: no ciphertext, schema version 2 or older.</summary>
    public static bool IsPlaintext(IReadOnlyDictionary<string, AttributeValue> profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return !UserProtection.IsSealed(profile) && SchemaVersionOf(profile) <= SchemaVersions.PlaintextUser;
    }

    public static int SchemaVersionOf(IReadOnlyDictionary<string, AttributeValue> item) =>
        item.TryGetValue(Attr.SchemaVersion, out var v) && v.N is not null ? int.Parse(v.N, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>The user's items, read consistently (the index of orders is eventually consistent; the writes' conditions cover it); null when there is no user item.</summary>
    /// <param name="scanned">The user item as a scan or read just returned it: its marker is read beside the rest (and again if the item has moved on).</param>
    public static async Task<StoredUserItems?> ReadAsync(
        IAmazonDynamoDB client, string tableName, Guid userId, CancellationToken cancellationToken, IReadOnlyDictionary<string, AttributeValue>? scanned = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var partitionTask = AllAsync(client, PartitionQuery.OnTable(Keys.UserPartition(userId)) with { Consistent = true }, tableName, cancellationToken);
        var ordersTask = AllAsync(client, PartitionQuery.OnGsi1(IndexKeys.OrdersOfUser(userId), KeyPrefix.Order), tableName, cancellationToken);
        var hint = scanned is null ? null : MarkerTokenOf(scanned);
        var hintTask = hint is null ? Task.FromResult<Dictionary<string, AttributeValue>?>(null) : MarkerAsync(client, tableName, hint, cancellationToken);
        var partition = await partitionTask.ConfigureAwait(false);
        var orders = await ordersTask.ConfigureAwait(false);
        var hinted = await hintTask.ConfigureAwait(false);
        var profileKey = Keys.User(userId);
        var profile = partition.FirstOrDefault(i => i[Attr.SK].S == profileKey.SK);
        if (profile is null)
        {
            return null;
        }

        var seed = partition.FirstOrDefault(i => i[Attr.SK].S == UserKeyStore.SortKey) is { } key && key.TryGetValue(UserKeyStore.SeedAttr, out var b) ? b.B.ToArray() : null;
        var terms = partition.Where(i => TermPrefixes.Any(p => i[Attr.SK].S.StartsWith(p, StringComparison.Ordinal))).ToList();
        var markerToken = MarkerTokenOf(profile);
        var marker = markerToken is null ? null
            : markerToken == hint ? hinted
            : await MarkerAsync(client, tableName, markerToken, cancellationToken).ConfigureAwait(false);

        return new StoredUserItems(profile, seed, marker, [.. terms], [.. orders.Where(i => i.GetValueOrDefault(Attr.EntityType)?.S == EntityTypes.Order)]);
    }

    /// <summary>The key value of the marker the user item's email points at: its token when sealed, the normalized address when plaintext.</summary>
    private static string? MarkerTokenOf(IReadOnlyDictionary<string, AttributeValue> profile) =>
        UserProtection.IsSealed(profile)
            ? profile.GetValueOrDefault(Attr.EmailToken)?.S
            : profile.GetValueOrDefault(Attr.Email)?.S is { } email ? EmailAddress.Normalize(email) : null;

    private static async Task<Dictionary<string, AttributeValue>?> MarkerAsync(IAmazonDynamoDB client, string tableName, string token, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest { TableName = tableName, Key = Keys.EmailMarker(token).ToAttributes(), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } found ? found : null;
    }

    /// <summary>The rewrite that seals a plaintext user; nothing to do for a sealed one.</summary>
    /// <param name="now">When the user's key item is made.</param>
    public static UserRewritePlan PlanSeal(StoredUserItems stored, KeyringSnapshot keyring, string tableName, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(keyring);
        var profile = stored.Profile;
        if (!IsPlaintext(profile))
        {
            return UserRewritePlan.NothingToDo;
        }

        var from = SchemaVersionOf(profile);
        if (profile.GetValueOrDefault(Attr.Email)?.S is not { } email)
        {
            return UserRewritePlan.Fail("has no email string.");
        }

        if (from == 1 && profile.ContainsKey(Attr.Phone))
        {
            return UserRewritePlan.Fail("has both schema version 1 and a 'phone' attribute.");
        }

        User user;
        try
        {
            user = UserMapper.FromItem(profile);
        }
        catch (InvalidItemException e)
        {
            return UserRewritePlan.Fail("does not read as a user: " + e.Message);
        }

        var id = user.Id;
        var seed = stored.Seed ?? UserKeyStore.NewSeed();
        var keys = new UserFieldKeys(keyring, id, seed);
        var item = new Dictionary<string, AttributeValue>(profile, StringComparer.Ordinal);
        if (from == 1)
        {
            MovePhoneOutOfMetadata(item);
        }

        foreach (var field in ProtectedFields.User)
        {
            if (item.TryGetValue(field, out var value))
            {
                item[field] = keys.Seal(field, value);
            }
        }

        var active = keyring.ActiveBlind;
        var token = UserProtection.EmailToken(keyring, active, email);
        item[Attr.EmailToken] = Av.S(token);
        item[Attr.BlindVersion] = Av.N(active);
        if (item.ContainsKey(Attr.EmailKey))
        {
            item[Attr.EmailKey] = Av.S(token);
        }

        item[Attr.SchemaVersion] = Av.N(SchemaVersions.User);
        item[Attr.SealedFrom] = Av.N(from);

        var actions = new List<WriteAction>
        {
            // Still the plaintext item read: a concurrent write (which seals it itself) wins, and a rerun writes nothing twice.
            WriteAction.Put(tableName, item, AsRead(profile, with: "attribute_not_exists(#emailToken)"), null),
        };
        if (stored.Seed is null)
        {
            actions.Add(WriteAction.Put(tableName, UserKeyStore.ToItem(id, seed, now), WriteCondition.NotExists, null));
        }

        actions.AddRange(MoveMarker(stored, id, Keys.EmailMarker(token), tableName, m => m[Attr.BlindVersion] = Av.N(active)));

        var words = UserIndexItemMapper.WordsOf(user).ToHashSet(StringComparer.Ordinal);
        var cities = UserIndexItemMapper.CitiesOf(user).ToHashSet(StringComparer.Ordinal);
        var deleteAfter = new List<ItemKey>();
        foreach (var term in stored.Terms.Where(t => BlindIndex.VersionOf(t[Attr.Term].S) == 0))
        {
            var plain = term[Attr.Term].S;
            var isWord = term[Attr.SK].S.StartsWith(KeyPrefix.Word, StringComparison.Ordinal);
            if (!(isWord ? words : cities).Contains(plain))
            {
                // The rollback finds a term's plaintext again from the user's name and addresses; one it could not find is left as it is.
                return UserRewritePlan.Fail(isWord ? "has a name-word item its name does not make." : "has a city item its addresses do not make.");
            }

            var tokenOf = isWord ? UserProtection.WordToken(keyring, active, plain) : UserProtection.CityToken(keyring, active, plain);
            actions.Add(WriteAction.Put(tableName, Rekey(term, isWord, tokenOf), null, null));
            deleteAfter.Add(new ItemKey(term[Attr.PK].S, term[Attr.SK].S));
        }

        var orderUpdates = new List<UpdateItemRequest>();
        foreach (var order in stored.Orders)
        {
            var copies = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
            foreach (var (copy, field) in ProtectedFields.OrderCopies)
            {
                if (order.TryGetValue(copy, out var value) && value.S is not null)
                {
                    // The user's own ciphertext when the copy is up to date: a copy is the user's field, byte for byte.
                    copies[copy] = profile.TryGetValue(field, out var own) && own.S == value.S ? item[field] : keys.Seal(field, value);
                }
            }

            if (copies.Count > 0)
            {
                orderUpdates.Add(OrderCopiesUpdate(tableName, order, copies));
            }
        }

        var (inTransaction, after) = Split(orderUpdates, TransactionWriter.MaxActions - actions.Count);
        actions.AddRange(inTransaction.Select(u => new WriteAction(new TransactWriteItem { Update = AsTransactUpdate(u) }, null)));
        return new UserRewritePlan(new UserRewrite(tableName, [], actions, deleteAfter, after, stored.Seed is null ? seed : null), null);
    }

    /// <summary>Runs a rewrite but for its <see cref="UserRewrite.DeleteAfter"/> (<see cref="DeleteOldItemsAsync"/>). False when the user changed since it was read (nothing of the transaction was written).</summary>
    public static async Task<bool> ExecuteAsync(IAmazonDynamoDB client, TransactionWriter transactions, UserRewrite rewrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(transactions);
        ArgumentNullException.ThrowIfNull(rewrite);
        await UpdateEachAsync(client, rewrite.OrdersBefore, cancellationToken).ConfigureAwait(false);
        try
        {
            await transactions.WriteAsync(rewrite.Transaction, cancellationToken).ConfigureAwait(false);
        }
        catch (DomainException)
        {
            // A condition failed (or a conflict outlasted the retries): someone wrote this user meanwhile; theirs wins.
            return false;
        }

        await UpdateEachAsync(client, rewrite.OrdersAfter, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Deletes the old shape's lookup items of rewrites that were written (<see cref="UserRewrite.DeleteAfter"/>): unconditional,
    /// and no transaction, since they are their users' and nothing else writes them any more. A backfill deletes a
    /// page's at once, which also leaves a longer moment in which both shapes can be found.
    /// </summary>
    public static async Task DeleteOldItemsAsync(BatchWriter batches, string tableName, IEnumerable<ItemKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var all = keys.ToList();
        if (all.Count > 0)
        {
            _ = await batches.DeleteAllAsync(tableName, all, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The marker moved to <paramref name="to"/> (when it is the user's): every attribute kept but the key and what
    /// <paramref name="reshape"/> changes. A marker that is missing or another user's is left alone.
    /// </summary>
    public static IEnumerable<WriteAction> MoveMarker(
        StoredUserItems stored, Guid userId, ItemKey to, string tableName, Action<Dictionary<string, AttributeValue>> reshape)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(reshape);
        if (stored.Marker is not { } marker || marker.GetValueOrDefault(Attr.UserId)?.S != Keys.Id(userId))
        {
            yield break;
        }

        var moved = new Dictionary<string, AttributeValue>(marker, StringComparer.Ordinal) { [Attr.PK] = Av.S(to.PK), [Attr.SK] = Av.S(to.SK) };
        reshape(moved);
        yield return WriteAction.Delete(tableName, new ItemKey(marker[Attr.PK].S, marker[Attr.SK].S), WriteCondition.BelongsTo(userId), null);
        yield return WriteAction.Put(tableName, moved, new WriteCondition(
            "attribute_not_exists(#pk) OR #userId = :userId",
            new Dictionary<string, string> { ["#pk"] = Attr.PK, ["#userId"] = Attr.UserId },
            new Dictionary<string, AttributeValue> { [":userId"] = Av.Guid(userId) }), null);
    }

    /// <summary>A name-word or city item under another term: every other attribute kept.</summary>
    public static Dictionary<string, AttributeValue> Rekey(IReadOnlyDictionary<string, AttributeValue> term, bool isWord, string newTerm)
    {
        ArgumentNullException.ThrowIfNull(term);
        var key = isWord ? Keys.UserWord(Guid.Parse(term[Attr.UserId].S), newTerm) : Keys.UserCity(Guid.Parse(term[Attr.UserId].S), newTerm);
        return new Dictionary<string, AttributeValue>(term, StringComparer.Ordinal)
        {
            [Attr.PK] = Av.S(key.PK),
            [Attr.SK] = Av.S(key.SK),
            [Attr.Term] = Av.S(newTerm),
            [Attr.Gsi1PK] = Av.S(isWord ? IndexKeys.Word(newTerm) : IndexKeys.City(newTerm)),
        };
    }

    /// <summary>The condition that the user item is still the one read: same version, same schema version, and <paramref name="with"/>.</summary>
    public static WriteCondition AsRead(IReadOnlyDictionary<string, AttributeValue> profile, string with, IReadOnlyDictionary<string, AttributeValue>? values = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var names = new Dictionary<string, string> { ["#sv"] = Attr.SchemaVersion, ["#version"] = Attr.Version, ["#emailToken"] = Attr.EmailToken };
        var all = new Dictionary<string, AttributeValue>(values ?? new Dictionary<string, AttributeValue>(), StringComparer.Ordinal) { [":sv"] = profile[Attr.SchemaVersion] };
        var version = "attribute_not_exists(#version)";
        if (profile.TryGetValue(Attr.Version, out var v))
        {
            all[":version"] = v;
            version = "#version = :version";
        }

        return new WriteCondition($"{version} AND #sv = :sv AND {with}", names, all);
    }

    /// <summary>An order header's copies set to <paramref name="copies"/>, if they still hold what was read.</summary>
    public static UpdateItemRequest OrderCopiesUpdate(string tableName, IReadOnlyDictionary<string, AttributeValue> order, IReadOnlyDictionary<string, AttributeValue> copies)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(copies);
        var names = new Dictionary<string, string>();
        var values = new Dictionary<string, AttributeValue>();
        var sets = new List<string>();
        var conditions = new List<string> { "attribute_exists(#pk)" };
        names["#pk"] = Attr.PK;
        var i = 0;
        foreach (var (copy, value) in copies)
        {
            names[$"#c{i}"] = copy;
            values[$":new{i}"] = value;
            values[$":old{i}"] = order[copy];
            sets.Add($"#c{i} = :new{i}");
            conditions.Add($"#c{i} = :old{i}");
            i++;
        }

        return new UpdateItemRequest
        {
            TableName = tableName,
            Key = new ItemKey(order[Attr.PK].S, order[Attr.SK].S).ToAttributes(),
            UpdateExpression = "SET " + string.Join(", ", sets),
            ConditionExpression = string.Join(" AND ", conditions),
            ExpressionAttributeNames = names,
            ExpressionAttributeValues = values,
        };
    }

    /// <summary>The first <paramref name="room"/> updates, and the rest.</summary>
    public static (List<UpdateItemRequest> First, List<UpdateItemRequest> Others) Split(List<UpdateItemRequest> updates, int room)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var take = Math.Clamp(room, 0, updates.Count);
        return (updates[..take], updates[take..]);
    }

    public static Update AsTransactUpdate(UpdateItemRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new Update
        {
            TableName = request.TableName,
            Key = request.Key,
            UpdateExpression = request.UpdateExpression,
            ConditionExpression = request.ConditionExpression,
            ExpressionAttributeNames = request.ExpressionAttributeNames,
            ExpressionAttributeValues = request.ExpressionAttributeValues,
        };
    }

    /// <summary>Version 1 kept the phone in metadata.phone; a valid E.164 one moves to 'phone', as reading a version 1 item does (<see cref="UserMapper.UpgradeFromV1"/>).</summary>
    private static void MovePhoneOutOfMetadata(Dictionary<string, AttributeValue> item)
    {
        if (item.TryGetValue(Attr.Metadata, out var metadata) && metadata.M is { } map
            && map.TryGetValue(PhoneNumber.LegacyMetadataKey, out var legacy) && legacy.S is { } phone && PhoneNumber.IsValid(phone))
        {
            var rest = new Dictionary<string, AttributeValue>(map, StringComparer.Ordinal);
            _ = rest.Remove(PhoneNumber.LegacyMetadataKey);
            item[Attr.Metadata] = Av.Map(rest);
            item[Attr.Phone] = Av.S(phone);
        }
    }

    private static async Task UpdateEachAsync(IAmazonDynamoDB client, IReadOnlyList<UpdateItemRequest> updates, CancellationToken cancellationToken)
    {
        foreach (var update in updates)
        {
            try
            {
                await client.UpdateItemAsync(update, cancellationToken).ConfigureAwait(false);
            }
            catch (ConditionalCheckFailedException)
            {
                // The copy changed since it was read (the denormalization wrote the user's newer data): that one wins.
            }
        }
    }

    private static async Task<List<Dictionary<string, AttributeValue>>> AllAsync(IAmazonDynamoDB client, PartitionQuery query, string tableName, CancellationToken cancellationToken)
    {
        var request = query.ToRequest(tableName);
        var items = new List<Dictionary<string, AttributeValue>>();
        do
        {
            var response = await client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            items.AddRange(response.Items ?? []);
            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (request.ExclusiveStartKey is not null);

        return items;
    }
}
