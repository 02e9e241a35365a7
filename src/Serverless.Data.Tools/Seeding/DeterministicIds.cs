using System.Security.Cryptography;
using System.Text;

namespace Serverless.Data.Tools.Seeding;

/// <summary>
/// Ids that depend only on the seed and a name, so the same seed writes the same keys (re-seeding overwrites
/// instead of duplicating) on every machine and runtime.
/// </summary>
public static class DeterministicIds
{
    public static Guid For(int seed, string kind, long index)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{seed}/{kind}/{index}")));
        var guid = bytes.AsSpan(0, 16);
        // Version 4 / RFC 4122 variant bits, so the ids look like the random ones the API creates.
        guid[7] = (byte)((guid[7] & 0x0F) | 0x40);
        guid[8] = (byte)((guid[8] & 0x3F) | 0x80);
        return new Guid(guid);
    }
}
