using Amazon.DynamoDBv2.Model;
using Serverless.Data.Audit;
using Serverless.Data.Comments;
using Serverless.Data.Items;
using Serverless.Data.Orders;
using Serverless.Data.Privacy;
using Serverless.Data.Products;
using Serverless.Data.Roles;
using Serverless.Data.Table;
using Serverless.Data.Users;
using Serverless.Domain.Audit;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Roles;
using Serverless.Domain.Users;

namespace Serverless.Streams.Decoding;

/// <summary>
/// Entity type -&gt; the data layer's mapper that reads its item, and the record id that names it in the audit
/// trail. One table of types, so the decoder, the audit function and docs/stream-events.md agree.
/// </summary>
internal static class EntityReaders
{
    private sealed record Reader(Func<IReadOnlyDictionary<string, AttributeValue>, object> Read, Func<object, string> RecordId);

    private static readonly Dictionary<string, Reader> ByType = new(StringComparer.Ordinal)
    {
        // A user's PII is ciphertext in the images: read without its key, the user is "no access", never a guess.
        [EntityTypes.User] = new(
            item => UserProtection.IsSealed(item)
                ? throw new InvalidItemException("The user's PII is encrypted and this reader has no access to the user's key (see docs/stream-events.md).")
                : UserMapper.FromItem(item),
            e => Keys.Id(((User)e).Id)),
        [EntityTypes.Order] = new(
            item => OrderProtection.IsSealed(item)
                ? throw new InvalidItemException("The order's copies of its user's PII are encrypted and this reader has no access to the user's key (see docs/stream-events.md).")
                : OrderMapper.FromHeaderItem(item),
            e => Keys.Id(((Order)e).Id)),
        // A line is named by its order and product: together they are its key.
        [EntityTypes.OrderItem] = new(OrderMapper.FromLineItem, e => Pair(((StoredOrderItem)e).OrderId, ((StoredOrderItem)e).Item.ProductId)),
        [EntityTypes.Product] = new(ProductMapper.FromItem, e => Keys.Id(((Product)e).Id)),
        [EntityTypes.Role] = new(RoleMapper.FromItem, e => Keys.Id(((Role)e).Id)),
        [EntityTypes.RoleNameMarker] = new(item => new RoleNameEntry(RoleMapper.RoleIdOfMarker(item), TermFromKey(item, KeyPrefix.RoleName)), e => Keys.Id(((RoleNameEntry)e).RoleId)),
        [EntityTypes.UserRole] = new(UserRoleMapper.FromItem, e => Pair(((UserRole)e).UserId, ((UserRole)e).RoleId)),
        [EntityTypes.Comment] = new(CommentMapper.FromItem, e => Keys.Id(((Comment)e).Id)),
        [EntityTypes.AuditEntry] = new(AuditEntryMapper.FromItem, e => ((AuditEntry)e).EntityType + "/" + ((AuditEntry)e).RecordId + "/" + ((AuditEntry)e).EventId),
        [EntityTypes.EmailMarker] = new(item => IndexEntry(EntityTypes.EmailMarker, item, TermFromKey(item, KeyPrefix.Email)), e => Keys.Id(((UserIndexEntry)e).UserId)),
        [EntityTypes.UserWord] = new(item => IndexEntry(EntityTypes.UserWord, item, new ItemReader(item).String(Attr.Term)), e => Keys.Id(((UserIndexEntry)e).UserId)),
        [EntityTypes.UserCity] = new(item => IndexEntry(EntityTypes.UserCity, item, new ItemReader(item).String(Attr.Term)), e => Keys.Id(((UserIndexEntry)e).UserId)),
    };

    public static bool IsKnown(string? entityType) => entityType is not null && ByType.ContainsKey(entityType);

    /// <summary>The entity of <paramref name="item"/>, whose type must be known.</summary>
    /// <exception cref="InvalidItemException">The item does not map to its type.</exception>
    public static object Read(string entityType, IReadOnlyDictionary<string, AttributeValue> item) => ByType[entityType].Read(item);

    public static string RecordId(string entityType, object entity) => ByType[entityType].RecordId(entity);

    /// <summary>
    /// The record id of an item whose entity cannot be read without keys (a user, an order: their PII is ciphertext),
    /// from its id attribute alone; null for the other types, whose id comes from the entity.
    /// </summary>
    /// <exception cref="InvalidItemException">The item does not map to its type (its ciphertext aside: an attribute missing or of the wrong type).</exception>
    public static string? RecordIdOfItem(string entityType, IReadOnlyDictionary<string, AttributeValue> item)
    {
        switch (entityType)
        {
            case EntityTypes.User:
                _ = UserMapper.FromItem(WithoutCiphertext(item, ProtectedFields.User));
                return Keys.Id(new ItemReader(item).Guid(Attr.Id));
            case EntityTypes.Order:
                _ = OrderMapper.FromHeaderItem(WithoutCiphertext(item, ProtectedFields.OrderCopies.Keys));
                return Keys.Id(new ItemReader(item).Guid(Attr.Id));
            default:
                return null;
        }
    }

    /// <summary>
    /// The item with each ciphertext replaced by an empty value of its plaintext's shape, so the rest of it can be
    /// checked as its mapper reads it without the key. An attribute that is missing stays missing, and fails the check.
    /// </summary>
    private static Dictionary<string, AttributeValue> WithoutCiphertext(IReadOnlyDictionary<string, AttributeValue> item, IEnumerable<string> fields)
    {
        var copy = new Dictionary<string, AttributeValue>(item, StringComparer.Ordinal);
        foreach (var field in fields)
        {
            if (copy.TryGetValue(field, out var value) && FieldCipher.IsCiphertext(value))
            {
                copy[field] = field switch
                {
                    Attr.Addresses => new AttributeValue { L = [] },
                    Attr.Metadata => new AttributeValue { M = [] },
                    Attr.Profile => new AttributeValue { M = new Dictionary<string, AttributeValue> { [Attr.Preferences] = new AttributeValue { M = [] } } },
                    _ => new AttributeValue { S = "" },
                };
            }
        }

        return copy;
    }

    /// <summary>"a/b" for entities keyed by two ids; '/' never occurs in a GUID, so the id splits back unambiguously.</summary>
    public static string Pair(Guid first, Guid second) => Keys.Id(first) + "/" + Keys.Id(second);

    private static UserIndexEntry IndexEntry(string entityType, IReadOnlyDictionary<string, AttributeValue> item, string term) =>
        new(entityType, UserIndexItemMapper.UserIdOf(item), term);

    private static string TermFromKey(IReadOnlyDictionary<string, AttributeValue> item, string prefix)
    {
        var pk = new ItemReader(item).String(Attr.PK);
        return pk.StartsWith(prefix, StringComparison.Ordinal)
            ? pk[prefix.Length..]
            : throw new InvalidItemException($"A marker item's partition key does not start with {prefix}.");
    }
}
