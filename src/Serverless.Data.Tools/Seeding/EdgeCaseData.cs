using Serverless.Data.Users;
using System.Text;
using Amazon.DynamoDBv2.Model;
using Serverless.Domain;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Roles;
using Serverless.Domain.Users;

namespace Serverless.Data.Tools.Seeding;

/// <summary>
/// The seed's "Edge cases (max field lengths, special characters)": hand-picked values at every limit the domain
/// accepts (255-character strings, 10 addresses, 20 name words, 50 map entries and order lines, 10,000-character
/// comments, balances 0.00 and 99999999.99, the shortest and longest E.164 numbers) and text that breaks naive
/// code (emoji incl. ZWJ sequences and skin tones, right-to-left scripts, CJK, combining accents, quotes,
/// backslashes, markup, SQL). Every value passes the domain rules, so it must come back through the API unchanged.
/// </summary>
public sealed class EdgeCaseData
{
    public const int UserCount = 5;

    /// <summary>Right-to-left and mixed-direction text, quotes and backslashes in one string.</summary>
    public const string Tricky = "«Edge» \"double\" 'single' `tick` \\back\\slash\\ C:\\Users\\\"q\"\\ עברית עולם · مرحبا بالعالم · 中文 · e\u0301 · 👨‍👩‍👧‍👦 👍🏽 🔥";

    private readonly int _seed;

    private EdgeCaseData(int seed) => _seed = seed;

    public IReadOnlyList<User> Users { get; private init; } = [];

    public IReadOnlyList<Product> Products { get; private init; } = [];

    public IReadOnlyList<Role> Roles { get; private init; } = [];

    public IReadOnlyList<UserRole> UserRoles { get; private init; } = [];

    public IReadOnlyList<Order> Orders { get; private init; } = [];

    public IReadOnlyList<Comment> Comments { get; private init; } = [];

    public int CreatedDateShards { get; private init; } = 1;

    public static EdgeCaseData Create(int seed, int createdDateShards, DateTimeOffset? asOf = null)
    {
        var now = asOf ?? SeedDefaults.AsOf;
        var data = new EdgeCaseData(seed);
        var users = data.BuildUsers(now);
        var products = data.BuildProducts(now);
        var roles = data.BuildRoles(now);
        return new EdgeCaseData(seed)
        {
            CreatedDateShards = createdDateShards,
            Users = users,
            Products = products,
            Roles = roles,
            UserRoles = BuildUserRoles(users, roles, now),
            Orders = data.BuildOrders(users, products, now),
            Comments = data.BuildComments(users, products, now),
        };
    }

    /// <summary>Every item, written through the data layer's mappers (<see cref="SeedItems"/>), PII sealed by <paramref name="sealer"/>.</summary>
    public IEnumerable<Dictionary<string, AttributeValue>> Items(UserItemSealer sealer)
    {
        foreach (var item in Roles.SelectMany(SeedItems.ForRole))
        {
            yield return item;
        }

        foreach (var product in Products)
        {
            yield return SeedItems.ForProduct(product);
        }

        foreach (var item in Users.SelectMany(u => SeedItems.ForUser(u, CreatedDateShards, sealer)))
        {
            yield return item;
        }

        foreach (var link in UserRoles)
        {
            yield return SeedItems.ForUserRole(link);
        }

        foreach (var item in Orders.SelectMany(o => SeedItems.ForOrder(o, sealer)))
        {
            yield return item;
        }

        foreach (var comment in Comments)
        {
            yield return SeedItems.ForComment(comment);
        }
    }

    /// <summary>Every broken domain rule of the data set (empty: the edge cases are all valid input).</summary>
    public IReadOnlyList<string> Violations() =>
    [
        .. Users.SelectMany(u => UserRules.Validate(u).Select(e => $"user {u.Id}: {e.Field} {e.Message}")),
        .. Products.SelectMany(p => ProductRules.Validate(p).Select(e => $"product {p.Id}: {e.Field} {e.Message}")),
        .. Roles.SelectMany(r => RoleRules.Validate(r).Select(e => $"role {r.Id}: {e.Field} {e.Message}")),
        .. UserRoles.SelectMany(l => UserRoleRules.Validate(l).Select(e => $"user role {l.UserId}/{l.RoleId}: {e.Field} {e.Message}")),
        .. Orders.SelectMany(o => OrderRules.Validate(o).Select(e => $"order {o.Id}: {e.Field} {e.Message}")),
        .. Comments.SelectMany(c => CommentRules.Validate(c).Select(e => $"comment {c.Id}: {e.Field} {e.Message}")),
    ];

    /// <summary><paramref name="text"/> repeated and cut to exactly <paramref name="length"/> UTF-16 units, never inside a surrogate pair.</summary>
    public static string Fill(string text, int length)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var builder = new StringBuilder(length + text.Length);
        while (builder.Length < length)
        {
            builder.Append(text);
        }

        builder.Length = length;
        if (char.IsHighSurrogate(builder[length - 1]))
        {
            builder[length - 1] = 'x';
        }

        return builder.ToString();
    }

    private Guid Id(string kind, int index) => DeterministicIds.For(_seed, "edge-" + kind, index);

    private static DateTimeOffset At(DateTimeOffset now, int daysAgo) => now.AddDays(-daysAgo).AddMilliseconds(-daysAgo * 7);

    private List<User> BuildUsers(DateTimeOffset now)
    {
        var max = Limits.MaxString;
        return
        [
            // Everything at its maximum.
            Entity(new User
            {
                Id = Id("user", 0),
                Email = Fill("maximum.length", max - "@example.com".Length) + "@example.com",
                Name = Fill("Maximilian", max),
                PasswordHash = Fill("$argon2id$v=19$m=65536,t=3,p=4$", max),
                Status = UserStatus.Active,
                Metadata = Enumerable.Range(0, Limits.MaxMapEntries)
                    .ToDictionary(i => Fill($"key{i:00}-", max), i => Fill($"value{i:00}-{Tricky}", max), StringComparer.Ordinal),
                Profile = new UserProfile
                {
                    Avatar = Fill("https://cdn.example.com/avatars/", max),
                    Bio = Fill(Tricky + " ", max),
                    Preferences = Enumerable.Range(0, Limits.MaxMapEntries)
                        .ToDictionary(i => Fill($"pref{i:00}-", max), i => Fill($"setting{i:00}-", max), StringComparer.Ordinal),
                },
                Addresses =
                [
                    .. Enumerable.Range(0, Limits.MaxAddresses).Select(i => new Address
                    {
                        Type = (AddressType)(i % 3),
                        Street = Fill($"{i + 1} Long Street Name ", max),
                        City = Fill($"City{i:00} ", max),
                        Country = Fill("The United Kingdom of Great Britain and Northern Ireland ", max),
                        IsDefault = i == 0,
                    }),
                ],
                Balance = Limits.MaxMoney,
                // The longest E.164 number: 15 digits.
                Phone = "+123456789012345",
            }, At(now, 400)),

            // The most name words a user may have (each is an index item in the user's transaction).
            Entity(new User
            {
                Id = Id("user", 1),
                Email = "twenty.words@example.org",
                Name = "Ana Björk Çelik Dvořák Éowyn Fatima Günther Håkon Ífe Jürgen Kąkol Łukasz Møller Núñez Ødegård Piñera Quỳnh Røed Søren Þór",
                PasswordHash = "$2b$12$" + Fill("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./", 53),
                Status = UserStatus.Active,
                Balance = 0.00m,
                // The shortest E.164 number: a country code digit and one more.
                Phone = "+12",
            }, At(now, 200)),

            // Unicode and special characters everywhere a string goes.
            Entity(new User
            {
                Id = Id("user", 2),
                Email = "o.brien+unicode_test%tag-x@sub-domain.example.co.uk",
                Name = "José Ñúñez-O'Brien \"The Rock\" 李小龙 محمد الأحمد שלום 😀",
                PasswordHash = "$2b$12$" + Fill("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 53),
                Status = UserStatus.Suspended,
                Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["quote\"key"] = "back\\slash \\\\ double",
                    ["emoji🔥"] = "👍🏽 👨‍👩‍👧‍👦",
                    ["rtl"] = "עברית ومرحبا",
                    ["newline"] = "line one\nline two\ttabbed\r\n",
                    ["json"] = "{\"a\":[1,2,{\"b\":null}]}",
                },
                Profile = new UserProfile
                {
                    Avatar = "https://example.com/a%20b/%F0%9F%98%80.png?x=1&y=\"2\"",
                    Bio = Tricky,
                    Preferences = new Dictionary<string, string>(StringComparer.Ordinal) { ["language"] = "ar-EG", ["direction"] = "rtl" },
                },
                Addresses =
                [
                    new Address { Type = AddressType.Home, Street = "Rua Augusta, 1508 – apto. «12»", City = "São Paulo", Country = "Brasil", IsDefault = true },
                    new Address { Type = AddressType.Work, Street = "شارع التحرير ١٢", City = "القاهرة", Country = "مصر" },
                    new Address { Type = AddressType.Other, Street = "千代田区丸の内1-1", City = "東京", Country = "日本" },
                    new Address { Type = AddressType.Other, Street = "Bahnhofstraße 1 \\ Hinterhaus", City = "Zürich", Country = "Schweiz" },
                ],
                Balance = 1234.56m,
                Phone = "+4930123456",
            }, At(now, 100)),

            // Input that breaks naive code: markup, SQL, path separators.
            Entity(new User
            {
                Id = Id("user", 3),
                Email = "robert.tables@example.com",
                Name = "<script>alert('x')</script> & Sons; DROP TABLE users;--",
                PasswordHash = "\\\\server\\share\\'; DROP TABLE users; --",
                Status = UserStatus.Inactive,
                Addresses = [new Address { Type = AddressType.Home, Street = "Robert'); DROP TABLE Students;--", City = "Null", Country = "undefined" }],
                Balance = 0.01m,
            }, At(now, 10)),

            // The least a user can be.
            Entity(new User
            {
                Id = Id("user", 4),
                Email = "a@b.co",
                Name = "X",
                PasswordHash = "h",
                Balance = 0.00m,
            }, At(now, 1)),
        ];
    }

    private List<Product> BuildProducts(DateTimeOffset now)
    {
        var products = new List<Product>
        {
            Entity(new Product { Id = Id("product", 0), Name = Fill("Maximum Product Name ", Limits.MaxString), Description = Fill(Tricky, Limits.MaxString), Price = Limits.MaxMoney }, At(now, 300)),
            Entity(new Product { Id = Id("product", 1), Name = "Ünïcödé ☕ Kaffee „Spezial“ 'quoted' \\ backslash", Price = 0.00m }, At(now, 300)),
        };
        // Enough products for an order at the line limit.
        for (var i = 0; i < Limits.MaxOrderItems; i++)
        {
            products.Add(Entity(new Product { Id = Id("product", 2 + i), Name = $"Edge Widget {i:00}", Description = "One of fifty", Price = 0.01m * (i + 1) }, At(now, 250)));
        }

        return products;
    }

    private List<Role> BuildRoles(DateTimeOffset now) =>
    [
        Entity(new Role { Id = Id("role", 0), Name = Fill("maximum-role-name-", Limits.MaxString), Description = Fill(Tricky, Limits.MaxString) }, At(now, 500)),
        Entity(new Role { Id = Id("role", 1), Name = "Administrateur·rice 🛡️ \"root\"", Description = null }, At(now, 500)),
    ];

    private static List<UserRole> BuildUserRoles(List<User> users, List<Role> roles, DateTimeOffset now) =>
    [
        Link(users[0], roles[0], now),
        Link(users[1], roles[1], now),
        Link(users[2], roles[0], now),
        Link(users[2], roles[1], now),
    ];

    private static UserRole Link(User user, Role role, DateTimeOffset now) => new()
    {
        UserId = user.Id,
        RoleId = role.Id,
        RoleName = role.Name,
        AssignedAt = At(now, 5),
        LastWriter = SeedDefaults.Writer,
    };

    private List<Order> BuildOrders(List<User> users, List<Product> products, DateTimeOffset now) =>
    [
        // The largest total decimal(10,2) holds.
        OrderOf(Id("order", 0), users[0], OrderStatus.Delivered, [Line(products[0], 1)], At(now, 50)),
        // The most lines an order may have.
        OrderOf(Id("order", 1), users[1], OrderStatus.Processing, [.. products.Skip(2).Take(Limits.MaxOrderItems).Select(p => Line(p, 3))], At(now, 40)),
        // A free order.
        OrderOf(Id("order", 2), users[2], OrderStatus.Cancelled, [Line(products[1], 1)], At(now, 30)),
    ];

    private static OrderItem Line(Product product, int quantity) =>
        new() { ProductId = product.Id, ProductName = product.Name, Quantity = quantity, UnitPrice = product.Price };

    private static Order OrderOf(Guid id, User user, OrderStatus status, List<OrderItem> items, DateTimeOffset orderedAt) => Entity(new Order
    {
        Id = id,
        UserId = user.Id,
        Status = status,
        Total = OrderRules.TotalOf(items),
        OrderedAt = orderedAt,
        UserEmail = user.Email,
        UserName = user.Name,
        UserVersion = user.Version,
        Items = items,
    }, orderedAt);

    private List<Comment> BuildComments(List<User> users, List<Product> products, DateTimeOffset now) =>
    [
        Entity(new Comment { Id = Id("comment", 0), TargetType = CommentTarget.Product, TargetId = products[1].Id, AuthorId = users[2].Id, Content = Fill(Tricky + "\n", Limits.MaxCommentContent) }, At(now, 20)),
        Entity(new Comment { Id = Id("comment", 1), TargetType = CommentTarget.User, TargetId = users[0].Id, AuthorId = users[3].Id, Content = "👍🏽 👨‍👩‍👧‍👦" }, At(now, 19)),
        // Anonymous, on a post (posts are only comment targets in the seed).
        Entity(new Comment { Id = Id("comment", 2), TargetType = CommentTarget.Post, TargetId = Id("post", 0), AuthorId = null, Content = "line one\n\tline two \\ \"quoted\" <b>bold</b>" }, At(now, 18)),
        Entity(new Comment { Id = Id("comment", 3), TargetType = CommentTarget.Product, TargetId = products[0].Id, AuthorId = users[4].Id, Content = "x" }, At(now, 17)),
    ];

    // Version 1 and equal created/updated times: what a create through the repositories would store.
    private static User Entity(User user, DateTimeOffset at) => user with { CreatedAt = at, UpdatedAt = at, Version = 1, LastWriter = SeedDefaults.Writer };

    private static Product Entity(Product product, DateTimeOffset at) => product with { CreatedAt = at, UpdatedAt = at, Version = 1, LastWriter = SeedDefaults.Writer };

    private static Role Entity(Role role, DateTimeOffset at) => role with { CreatedAt = at, UpdatedAt = at, Version = 1, LastWriter = SeedDefaults.Writer };

    private static Order Entity(Order order, DateTimeOffset at) => order with { CreatedAt = at, UpdatedAt = at, Version = 1, LastWriter = SeedDefaults.Writer };

    private static Comment Entity(Comment comment, DateTimeOffset at) => comment with { CreatedAt = at, UpdatedAt = at, Version = 1, LastWriter = SeedDefaults.Writer };
}
