namespace Serverless.Data.Tools.Rotation;

/// <param name="UsersScanned">User items the scan returned.</param>
/// <param name="UsersRewritten">Users re-sealed under the active versions (by their own scan, or first by an order of theirs).</param>
/// <param name="UsersCurrent">Users already under the active versions when the scan reached them: nothing written.</param>
/// <param name="UsersSkipped">Users with no key (erased, or from before encryption) or gone since the scan found them.</param>
/// <param name="OrdersScanned">Order headers the scan returned.</param>
/// <param name="OrdersRewritten">Order headers whose copies of their user's email and name were re-sealed.</param>
/// <param name="OrdersCurrent">Order headers whose copies were already under the active field version (or are plaintext).</param>
/// <param name="OrdersSkipped">Order headers whose user is erased, or that are gone.</param>
/// <param name="Retried">Rewrites that found the item changed since it was read (an API write, a denormalization) and read it again.</param>
/// <param name="Unfinished">Items that kept changing under every attempt: left as they are; a later run moves them.</param>
public sealed record KeyRotationCounts(
    long UsersScanned = 0,
    long UsersRewritten = 0,
    long UsersCurrent = 0,
    long UsersSkipped = 0,
    long OrdersScanned = 0,
    long OrdersRewritten = 0,
    long OrdersCurrent = 0,
    long OrdersSkipped = 0,
    long Retried = 0,
    long Unfinished = 0)
{
    public KeyRotationCounts Add(KeyRotationCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(
            UsersScanned + other.UsersScanned,
            UsersRewritten + other.UsersRewritten,
            UsersCurrent + other.UsersCurrent,
            UsersSkipped + other.UsersSkipped,
            OrdersScanned + other.OrdersScanned,
            OrdersRewritten + other.OrdersRewritten,
            OrdersCurrent + other.OrdersCurrent,
            OrdersSkipped + other.OrdersSkipped,
            Retried + other.Retried,
            Unfinished + other.Unfinished);
    }

    /// <summary>The counts by name, as the checkpoint stores them.</summary>
    internal IEnumerable<(string Name, long Value)> Named() =>
    [
        ("usersScanned", UsersScanned), ("usersRewritten", UsersRewritten), ("usersCurrent", UsersCurrent), ("usersSkipped", UsersSkipped),
        ("ordersScanned", OrdersScanned), ("ordersRewritten", OrdersRewritten), ("ordersCurrent", OrdersCurrent), ("ordersSkipped", OrdersSkipped),
        ("retried", Retried), ("unfinished", Unfinished),
    ];

    internal static KeyRotationCounts FromNamed(Func<string, long> value) => new(
        value("usersScanned"), value("usersRewritten"), value("usersCurrent"), value("usersSkipped"),
        value("ordersScanned"), value("ordersRewritten"), value("ordersCurrent"), value("ordersSkipped"),
        value("retried"), value("unfinished"));
}
