namespace Serverless.Data.Tools.Seeding;

/// <summary>
/// The fixed shape of a generated scenario, so every count follows from the number of users alone and a test
/// (or <c>stats</c>) can check a seeded table exactly. Per user <c>i</c> (0-based):
/// <list type="bullet">
/// <item>a name of exactly <see cref="WordsPerUser"/> distinct search words (one word item each) and an email marker;</item>
/// <item>1 address, plus a second one when <c>i</c> is odd, each in a distinct city (one city item each);</item>
/// <item><see cref="OrdersPerUser"/> orders of <see cref="ItemsPerOrder"/> distinct products each;</item>
/// <item>one role link, plus a second one when <c>i</c> is a multiple of <see cref="SecondRoleEvery"/>;</item>
/// <item>one comment, on a product, another user or a post in turn.</item>
/// </list>
/// Products: <c>max(MinProducts, users / UsersPerProduct)</c>; roles: <see cref="Roles"/>; both 0 when there are no users.
/// </summary>
public static class SeedProportions
{
    public const int WordsPerUser = 2;
    public const int OrdersPerUser = 2;
    public const int ItemsPerOrder = 2;
    public const int SecondRoleEvery = 10;
    public const int UsersPerProduct = 20;
    public const int MinProducts = 10;
    public const int Roles = 5;

    /// <summary>Comments per user; targets rotate product, user, post.</summary>
    public const int CommentsPerUser = 1;

    /// <summary>Posts are not entities of the seed (only comment targets); this many distinct post ids are commented on.</summary>
    public static int PostsFor(long users) => (int)Math.Max(1, users / 50);

    public static int ProductsFor(long users) => users == 0 ? 0 : (int)Math.Max(MinProducts, users / UsersPerProduct);

    public static int AddressesOf(long userIndex) => userIndex % 2 == 1 ? 2 : 1;

    public static int RoleLinksOf(long userIndex) => userIndex % SecondRoleEvery == 0 ? 2 : 1;

    /// <summary>The exact item counts of a generated scenario with <paramref name="users"/> users.</summary>
    public static EntityCounts CountsFor(long users) => new()
    {
        Users = users,
        UserKeys = users,
        EmailMarkers = users,
        UserWords = users * WordsPerUser,
        // Odd indexes below n: n / 2 of them.
        UserCities = users + (users / 2),
        Orders = users * OrdersPerUser,
        OrderItems = users * OrdersPerUser * ItemsPerOrder,
        Products = ProductsFor(users),
        Roles = users == 0 ? 0 : Roles,
        RoleNameMarkers = users == 0 ? 0 : Roles,
        // Multiples of SecondRoleEvery below n, 0 included.
        UserRoles = users + ((users + SecondRoleEvery - 1) / SecondRoleEvery),
        Comments = users * CommentsPerUser,
    };
}
