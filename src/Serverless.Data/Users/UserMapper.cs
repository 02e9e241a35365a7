using Serverless.Domain.Users;

namespace Serverless.Data.Users;

/// <summary>User &lt;-&gt; its item (USER#id / PROFILE), including the attributes that place it in the indexes.</summary>
public static class UserMapper
{
    /// <param name="createdDateShards">Write shards of the CreatedDateIndex and status partitions (<see cref="TableOptions.CreatedDateShards"/>).</param>
    public static Dictionary<string, AttributeValue> ToItem(User user, int createdDateShards)
    {
        ArgumentNullException.ThrowIfNull(user);
        var item = CommonAttributes.NewItem(Keys.User(user.Id), EntityTypes.User, SchemaVersions.User);
        CommonAttributes.AddEntityState(item, user);

        item[Attr.Id] = Av.Guid(user.Id);
        item[Attr.Email] = Av.S(user.Email);
        item[Attr.Name] = Av.S(user.Name);
        item[Attr.PasswordHash] = Av.S(user.PasswordHash);
        item[Attr.Status] = Av.S(user.Status.ToName());
        item[Attr.Metadata] = Av.StringMap(user.Metadata);
        item[Attr.Addresses] = Av.List([.. user.Addresses.Select(AddressToMap)]);
        item[Attr.Balance] = Av.N(user.Balance);
        item.AddIfNotNull(Attr.Phone, user.Phone);
        item.AddIfNotNull(Attr.DeletedAt, user.DeletedAt);
        item.AddIfNotNull(Attr.PurgeAfter, user.PurgeAfter);
        if (user.Profile is { } profile)
        {
            item[Attr.Profile] = ProfileToMap(profile);
        }

        if (user.Status == UserStatus.Deleted)
        {
            // A soft-deleted user leaves every lookup index (sparse indexes: no key attribute, no index entry)
            // and expires with its retention period; until then it can be restored.
            if (user.PurgeAfter is { } purgeAfter)
            {
                item[Attr.Ttl] = Av.EpochSeconds(purgeAfter);
            }
        }
        else
        {
            var shard = CreatedDatePartitions.ShardOf(user.Id, createdDateShards);
            item[Attr.EmailKey] = Av.S(EmailAddress.Normalize(user.Email));
            item[Attr.YearMonth] = Av.S(CreatedDatePartitions.Month(user.CreatedAt, shard, createdDateShards));
            item[Attr.Gsi1PK] = Av.S(IndexKeys.UsersByStatus(user.Status, shard, createdDateShards));
            item[Attr.Gsi1SK] = Av.S(IndexKeys.UserStatusSort(user.CreatedAt, user.Id));
        }

        return item;
    }

    /// <summary>Reads a user item of schema version 1 or 2; version 1 is upgraded in memory (see <see cref="UpgradeFromV1"/>).</summary>
    public static User FromItem(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var reader = new ItemReader(item);
        var schemaVersion = reader.ExpectEntity(EntityTypes.User, SchemaVersions.User);
        var user = CommonAttributes.ReadEntityState(reader, new User
        {
            Id = reader.Guid(Attr.Id),
            Email = reader.String(Attr.Email),
            Name = reader.String(Attr.Name),
            PasswordHash = reader.String(Attr.PasswordHash),
            Status = reader.Enum(Attr.Status, EnumNames.UserStatus),
            Metadata = reader.StringMap(Attr.Metadata),
            Profile = reader.OptionalMap(Attr.Profile) is { } profile ? ProfileFromMap(profile) : null,
            Addresses = [.. reader.List(Attr.Addresses).Select(AddressFromValue)],
            Balance = reader.Decimal(Attr.Balance),
            Phone = reader.OptionalString(Attr.Phone),
            DeletedAt = reader.OptionalTime(Attr.DeletedAt),
            PurgeAfter = reader.OptionalTime(Attr.PurgeAfter),
        });

        return schemaVersion == 1 ? UpgradeFromV1(user) : user;
    }

    /// <summary>
    /// Version 1 kept the phone in <c>metadata.phone</c>. A valid E.164 value moves to <see cref="User.Phone"/>;
    /// anything else stays in metadata untouched (the backfill reports it) rather than being dropped.
    /// The next write stores the upgraded shape as version 2.
    /// </summary>
    public static User UpgradeFromV1(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Phone is not null
            || !user.Metadata.TryGetValue(PhoneNumber.LegacyMetadataKey, out var legacy)
            || !PhoneNumber.IsValid(legacy))
        {
            return user;
        }

        var metadata = new Dictionary<string, string>(user.Metadata, StringComparer.Ordinal);
        _ = metadata.Remove(PhoneNumber.LegacyMetadataKey);
        return user with { Phone = legacy, Metadata = metadata };
    }

    private static AttributeValue ProfileToMap(UserProfile profile)
    {
        var map = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [Attr.Preferences] = Av.StringMap(profile.Preferences),
        };
        map.AddIfNotNull(Attr.Avatar, profile.Avatar);
        map.AddIfNotNull(Attr.Bio, profile.Bio);
        return Av.Map(map);
    }

    private static UserProfile ProfileFromMap(Dictionary<string, AttributeValue> map)
    {
        var reader = new ItemReader(map);
        return new UserProfile
        {
            Avatar = reader.OptionalString(Attr.Avatar),
            Bio = reader.OptionalString(Attr.Bio),
            Preferences = reader.StringMap(Attr.Preferences),
        };
    }

    private static AttributeValue AddressToMap(Address address) => Av.Map(new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
    {
        [Attr.Type] = Av.S(address.Type.ToName()),
        [Attr.Street] = Av.S(address.Street),
        [Attr.City] = Av.S(address.City),
        [Attr.Country] = Av.S(address.Country),
        [Attr.IsDefault] = Av.Bool(address.IsDefault),
    });

    private static Address AddressFromValue(AttributeValue value)
    {
        var reader = new ItemReader(value.M ?? throw new InvalidItemException("An address is not a map."));
        return new Address
        {
            Type = reader.Enum(Attr.Type, EnumNames.AddressType),
            Street = reader.String(Attr.Street),
            City = reader.String(Attr.City),
            Country = reader.String(Attr.Country),
            IsDefault = reader.Bool(Attr.IsDefault),
        };
    }
}
