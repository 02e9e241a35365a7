namespace Serverless.Data.Tools.Seeding;

public static class SeedDefaults
{
    /// <summary>
    /// The instant generated timestamps count back from. Fixed rather than "now", so the same seed gives the same
    /// bytes on any day; pass a recent date (<c>--as-of</c>) to make "recent users" queries find seeded users.
    /// </summary>
    public static DateTimeOffset AsOf { get; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const int Seed = 1;

    /// <summary>The <c>lastWriter</c> of seeded entities, so audit entries and logs show where the data came from.</summary>
    public const string Writer = "seed";
}
