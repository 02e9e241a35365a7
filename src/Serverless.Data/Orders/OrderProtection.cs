using Serverless.Data.Privacy;

namespace Serverless.Data.Orders;

/// <summary>
/// An order header's copies of its user's email and name: ciphertext under the user's key, bound to the user's own
/// field (so a copy is the user's ciphertext, byte for byte, and the denormalization copies it without decrypting).
/// </summary>
public static class OrderProtection
{
    public static string ItemId(Guid orderId) => "order " + Keys.Id(orderId);

    /// <summary>The header with its copies sealed (a copy that is ciphertext already, from the user's item, kept as it is).</summary>
    public static Dictionary<string, AttributeValue> Seal(Dictionary<string, AttributeValue> header, UserFieldKeys userKeys)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(userKeys);
        var item = new Dictionary<string, AttributeValue>(header, StringComparer.Ordinal);
        foreach (var (copy, field) in ProtectedFields.OrderCopies)
        {
            if (item.TryGetValue(copy, out var value) && !FieldCipher.IsCiphertext(value))
            {
                item[copy] = userKeys.Seal(field, value);
            }
        }

        return item;
    }

    /// <summary>The header with its copies decrypted; <see cref="ProtectedFields.Erased"/> in their place when the user's key is gone.</summary>
    /// <exception cref="FieldDecryptionException">A copy does not decrypt under its user's key (tampered, or another user's).</exception>
    public static Dictionary<string, AttributeValue> Open(IReadOnlyDictionary<string, AttributeValue> header, UserFieldKeys? userKeys)
    {
        ArgumentNullException.ThrowIfNull(header);
        var item = new Dictionary<string, AttributeValue>(header, StringComparer.Ordinal);
        var itemId = ItemId(new ItemReader(header).Guid(Attr.Id));
        foreach (var (copy, field) in ProtectedFields.OrderCopies)
        {
            if (header.TryGetValue(copy, out var value) && value.B is not null)
            {
                item[copy] = userKeys is null ? Av.S(ProtectedFields.Erased) : userKeys.Open(field, value, itemId);
            }
        }

        return item;
    }

    /// <summary>True when a copy is ciphertext (the user's key is needed to read it).</summary>
    public static bool IsSealed(IReadOnlyDictionary<string, AttributeValue> header) =>
        ProtectedFields.OrderCopies.Keys.Any(c => header.TryGetValue(c, out var v) && v.B is not null);
}
