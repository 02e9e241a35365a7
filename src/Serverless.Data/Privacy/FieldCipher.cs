using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Serverless.Data.Privacy;

/// <summary>
/// A PII field's ciphertext, stored as a binary attribute:
/// <c>0xC5 | format 1 | field key version (2 bytes) | owner user id (16 bytes) | nonce (12) | AES-256-GCM ciphertext | tag (16)</c>.
/// The key is the owner's own field key (<see cref="UserFieldKeys"/>); the additional authenticated data is the
/// header (so the version and owner cannot be swapped) and the field's name (so a ciphertext moved to another field
/// fails). The owner is checked against the item the ciphertext was read from (so one moved to another user fails).
/// </summary>
public static class FieldCipher
{
    public const byte Magic = 0xC5;
    public const byte Format = 1;
    internal const int HeaderBytes = 20;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    /// <summary>True when <paramref name="value"/> is a field ciphertext (not a plaintext value of an older item).</summary>
    public static bool IsCiphertext(AttributeValue? value) =>
        value?.B is { Length: > HeaderBytes + NonceBytes + TagBytes } stream && Peek(stream) == Magic;

    /// <summary>The field key version and owner a ciphertext names, without decrypting it.</summary>
    /// <exception cref="FieldDecryptionException">Not a field ciphertext.</exception>
    public static (int Version, Guid Owner) HeaderOf(AttributeValue value, string itemId, string field = "?")
    {
        var bytes = BytesOf(value, itemId, field);
        return (BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2)), new Guid(bytes.AsSpan(4, 16), bigEndian: true));
    }

    internal static AttributeValue Seal(ReadOnlySpan<byte> key, int version, Guid owner, string field, AttributeValue plain)
    {
        var plaintext = AttributeCodec.Encode(plain);
        var output = new byte[HeaderBytes + NonceBytes + plaintext.Length + TagBytes];
        output[0] = Magic;
        output[1] = Format;
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(2), checked((ushort)version));
        owner.TryWriteBytes(output.AsSpan(4, 16), bigEndian: true, out _);
        RandomNumberGenerator.Fill(output.AsSpan(HeaderBytes, NonceBytes));
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(
            output.AsSpan(HeaderBytes, NonceBytes),
            plaintext,
            output.AsSpan(HeaderBytes + NonceBytes, plaintext.Length),
            output.AsSpan(output.Length - TagBytes),
            Aad(output.AsSpan(0, HeaderBytes), field));
        CryptographicOperations.ZeroMemory(plaintext);
        return new AttributeValue { B = new MemoryStream(output, 0, output.Length, writable: false, publiclyVisible: true) };
    }

    /// <param name="keyOf">The owner's field key of a version.</param>
    /// <param name="itemId">Named in an error (an id, never content).</param>
    /// <exception cref="FieldDecryptionException">Tampered, moved from another owner or field, or under a key that is gone.</exception>
    internal static AttributeValue Open(Func<int, byte[]> keyOf, Guid expectedOwner, string field, AttributeValue value, string itemId)
    {
        var bytes = BytesOf(value, itemId, field);
        var (version, owner) = HeaderOf(value, itemId, field);
        if (owner != expectedOwner)
        {
            throw new FieldDecryptionException(itemId, field, "it belongs to another user");
        }

        byte[] key;
        try
        {
            key = keyOf(version);
        }
        catch (KeyUnavailableException)
        {
            throw new FieldDecryptionException(itemId, field, "its key version is retired or unknown");
        }

        var length = bytes.Length - HeaderBytes - NonceBytes - TagBytes;
        var plaintext = new byte[length];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(
                bytes.AsSpan(HeaderBytes, NonceBytes),
                bytes.AsSpan(HeaderBytes + NonceBytes, length),
                bytes.AsSpan(bytes.Length - TagBytes),
                plaintext,
                Aad(bytes.AsSpan(0, HeaderBytes), field));
            return AttributeCodec.Decode(plaintext);
        }
        catch (Exception e) when (e is AuthenticationTagMismatchException or CryptographicException or FormatException)
        {
            throw new FieldDecryptionException(itemId, field, "it was altered, or made for another field or key");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] Aad(ReadOnlySpan<byte> header, string field)
    {
        var name = Encoding.UTF8.GetBytes(field);
        var aad = new byte[header.Length + 1 + name.Length];
        header.CopyTo(aad);
        aad[header.Length] = 0;
        name.CopyTo(aad.AsSpan(header.Length + 1));
        return aad;
    }

    // Never through the stream's position: the same value may be sent by the SDK (which reads the stream) on another
    // thread at the same moment, as when one ciphertext is copied onto several orders at once.
    private static byte Peek(MemoryStream stream) =>
        stream.TryGetBuffer(out var buffer) ? buffer[0] : stream.ToArray()[0];

    private static byte[] BytesOf(AttributeValue value, string itemId, string field)
    {
        var bytes = value?.B?.ToArray();
        return bytes is { Length: > HeaderBytes + NonceBytes + TagBytes } && bytes[0] == Magic && bytes[1] == Format
            ? bytes
            : throw new FieldDecryptionException(itemId, field, "it is not a field ciphertext");
    }
}

/// <summary>A field that did not decrypt. The message names the item and field, never a value.</summary>
public sealed class FieldDecryptionException(string itemId, string field, string reason)
    : Exception($"The {field} field of {itemId} does not decrypt: {reason}.")
{
    public string ItemId { get; } = itemId;

    public string Field { get; } = field;
}
