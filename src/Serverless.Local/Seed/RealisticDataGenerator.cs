using Serverless.Data.Users;
using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2.Model;
using Bogus;
using Serverless.Data.Tools.Seeding;
using Serverless.Domain;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Roles;
using Serverless.Domain.Search;
using Serverless.Domain.Users;

namespace Serverless.Local.Seed;

/// <summary>
/// Realistic data for the generated scenarios (Bogus, English locale), in the fixed proportions of
/// <see cref="SeedProportions"/>. Deterministic: one seeded random source drawn in a fixed order, ids from
/// <see cref="DeterministicIds"/> and times counted back from a fixed instant, so the same seed yields the same
/// items byte for byte. Items are produced lazily, user by user, so a million users never sit in memory.
/// Lives here rather than in Serverless.Data so Bogus never reaches a Lambda package.
/// </summary>
public sealed class RealisticDataGenerator
{
    private static readonly string[] RoleNames = ["admin", "editor", "support", "billing", "viewer"];
    private static readonly string[] Sources = ["web", "ios", "android", "import", "partner"];
    private static readonly string[] Locales = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "ja-JP", "pt-BR"];
    private static readonly OrderStatus[] OrderStatuses = [OrderStatus.Pending, OrderStatus.Processing, OrderStatus.Shipped, OrderStatus.Delivered, OrderStatus.Cancelled];
    private static readonly (string Code, int Digits)[] PhoneCountries = [("1", 10), ("44", 10), ("49", 11), ("33", 9), ("81", 10), ("61", 9), ("55", 11)];
    private static readonly TimeSpan History = TimeSpan.FromDays(730);

    private readonly int _seed;
    private readonly int _shards;
    private readonly DateTimeOffset _asOf;

    public RealisticDataGenerator(int seed, int createdDateShards, DateTimeOffset asOf)
    {
        _seed = seed;
        _shards = createdDateShards;
        // Stored times are epoch milliseconds: anything finer would not survive a round trip.
        _asOf = DateTimeOffset.FromUnixTimeMilliseconds(asOf.ToUnixTimeMilliseconds());
    }

    public IEnumerable<Dictionary<string, AttributeValue>> Items(long users, UserItemSealer sealer)
    {
        if (users <= 0)
        {
            yield break;
        }

        var faker = new Faker("en") { Random = new Randomizer(_seed) };
        var roles = BuildRoles(faker);
        foreach (var item in roles.SelectMany(SeedItems.ForRole))
        {
            yield return item;
        }

        var products = BuildProducts(faker, SeedProportions.ProductsFor(users));
        foreach (var product in products)
        {
            yield return SeedItems.ForProduct(product);
        }

        var posts = SeedProportions.PostsFor(users);
        var previousUserId = Guid.Empty;
        for (long i = 0; i < users; i++)
        {
            var user = BuildUser(faker, i);
            foreach (var item in SeedItems.ForUser(user, _shards, sealer))
            {
                yield return item;
            }

            for (var r = 0; r < SeedProportions.RoleLinksOf(i); r++)
            {
                var role = roles[(int)((i + r) % roles.Count)];
                yield return SeedItems.ForUserRole(new UserRole
                {
                    UserId = user.Id,
                    RoleId = role.Id,
                    RoleName = role.Name,
                    AssignedAt = Between(faker, user.CreatedAt, _asOf),
                    LastWriter = SeedDefaults.Writer,
                });
            }

            for (var o = 0; o < SeedProportions.OrdersPerUser; o++)
            {
                foreach (var item in SeedItems.ForOrder(BuildOrder(faker, user, i, o, products), sealer))
                {
                    yield return item;
                }
            }

            yield return SeedItems.ForComment(BuildComment(faker, user, i, previousUserId, products, posts));
            previousUserId = user.Id;
        }
    }

    private List<Role> BuildRoles(Faker faker) =>
    [
        .. RoleNames.Select((name, i) =>
        {
            var at = Between(faker, _asOf - History - TimeSpan.FromDays(30), _asOf - History);
            return new Role
            {
                Id = DeterministicIds.For(_seed, "role", i),
                Name = name,
                Description = Truncate(faker.Lorem.Sentence(8)),
                CreatedAt = at,
                UpdatedAt = at,
                Version = 1,
                LastWriter = SeedDefaults.Writer,
            };
        }),
    ];

    private List<Product> BuildProducts(Faker faker, int count)
    {
        var products = new List<Product>(count);
        for (var i = 0; i < count; i++)
        {
            var at = Between(faker, _asOf - History - TimeSpan.FromDays(30), _asOf - History);
            products.Add(Valid(new Product
            {
                Id = DeterministicIds.For(_seed, "product", i),
                Name = Truncate(faker.Commerce.ProductName()),
                Description = Truncate(faker.Commerce.ProductDescription()),
                Price = Money(faker, 1m, 500m),
                CreatedAt = at,
                UpdatedAt = at,
                Version = 1,
                LastWriter = SeedDefaults.Writer,
            }, ProductRules.Validate));
        }

        return products;
    }

    private User BuildUser(Faker faker, long index)
    {
        var (first, last) = TwoWordName(faker);
        var createdAt = Between(faker, _asOf - History, _asOf);
        var updatedAt = Between(faker, createdAt, _asOf);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["source"] = faker.PickRandom(Sources),
            ["locale"] = faker.PickRandom(Locales),
        };

        var addresses = new List<Address>();
        var cities = new HashSet<string>(StringComparer.Ordinal);
        for (var a = 0; a < SeedProportions.AddressesOf(index); a++)
        {
            // Each address in its own city: one city item per address, so the counts stay exact.
            string city;
            do
            {
                city = faker.Address.City();
            }
            while (!cities.Add(CityName.Normalize(city)));

            addresses.Add(new Address
            {
                Type = a == 0 ? AddressType.Home : AddressType.Work,
                Street = faker.Address.StreetAddress(),
                City = city,
                Country = faker.Address.Country(),
                IsDefault = a == 0,
            });
        }

        return Valid(new User
        {
            Id = DeterministicIds.For(_seed, "user", index),
            Email = Email(first, last, index, faker.Internet.DomainName()),
            Name = first + " " + last,
            PasswordHash = PasswordHash(faker),
            Status = faker.Random.WeightedRandom([UserStatus.Active, UserStatus.Inactive, UserStatus.Suspended], [0.90f, 0.08f, 0.02f]),
            Metadata = metadata,
            Profile = new UserProfile
            {
                Avatar = faker.Internet.Avatar(),
                Bio = faker.Random.Bool(0.6f) ? Truncate(faker.Lorem.Sentence(12)) : null,
                Preferences = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["theme"] = faker.PickRandom("light", "dark", "system"),
                    ["newsletter"] = faker.Random.Bool(0.3f) ? "true" : "false",
                },
            },
            Addresses = addresses,
            Balance = faker.Random.Bool(0.2f) ? 0.00m : Money(faker, 0.01m, 5_000m),
            Phone = faker.Random.Bool(0.8f) ? Phone(faker) : null,
            CreatedAt = createdAt,
            UpdatedAt = updatedAt,
            Version = 1,
            LastWriter = SeedDefaults.Writer,
        }, UserRules.Validate);
    }

    private Order BuildOrder(Faker faker, User user, long userIndex, int orderIndex, List<Product> products)
    {
        var orderedAt = Between(faker, user.CreatedAt, _asOf);
        var chosen = new HashSet<int>();
        var lines = new List<OrderItem>(SeedProportions.ItemsPerOrder);
        while (lines.Count < SeedProportions.ItemsPerOrder)
        {
            // Distinct products: an order item's key is the product id within the order.
            var p = faker.Random.Int(0, products.Count - 1);
            if (chosen.Add(p))
            {
                lines.Add(new OrderItem { ProductId = products[p].Id, ProductName = products[p].Name, Quantity = faker.Random.Int(1, 5), UnitPrice = products[p].Price });
            }
        }

        return Valid(new Order
        {
            Id = DeterministicIds.For(_seed, "order", (userIndex * SeedProportions.OrdersPerUser) + orderIndex),
            UserId = user.Id,
            Status = faker.PickRandom(OrderStatuses),
            Total = OrderRules.TotalOf(lines),
            OrderedAt = orderedAt,
            UserEmail = user.Email,
            UserName = user.Name,
            UserVersion = user.Version,
            Items = lines,
            CreatedAt = orderedAt,
            UpdatedAt = orderedAt,
            Version = 1,
            LastWriter = SeedDefaults.Writer,
        }, OrderRules.Validate);
    }

    private Comment BuildComment(Faker faker, User user, long index, Guid previousUserId, List<Product> products, int posts)
    {
        // Targets rotate product, user, post: every kind of the seed's polymorphic comment occurs.
        var (targetType, targetId) = (index % 3) switch
        {
            0 => (CommentTarget.Product, products[faker.Random.Int(0, products.Count - 1)].Id),
            1 => (CommentTarget.User, previousUserId == Guid.Empty ? user.Id : previousUserId),
            _ => (CommentTarget.Post, DeterministicIds.For(_seed, "post", faker.Random.Int(0, posts - 1))),
        };
        var at = Between(faker, user.CreatedAt, _asOf);
        return Valid(new Comment
        {
            Id = DeterministicIds.For(_seed, "comment", index),
            TargetType = targetType,
            TargetId = targetId,
            AuthorId = user.Id,
            Content = faker.Lorem.Paragraph(),
            CreatedAt = at,
            UpdatedAt = at,
            Version = 1,
            LastWriter = SeedDefaults.Writer,
        }, CommentRules.Validate);
    }

    /// <summary>A first and last name that make exactly <see cref="SeedProportions.WordsPerUser"/> search words ("O'Hara" would make three).</summary>
    private static (string First, string Last) TwoWordName(Faker faker)
    {
        while (true)
        {
            var first = faker.Name.FirstName();
            var last = faker.Name.LastName();
            if (SearchTerms.Of(first + " " + last).Count == SeedProportions.WordsPerUser)
            {
                return (first, last);
            }
        }
    }

    /// <summary>Unique by construction (the user's index is part of it), so no two seeded users compete for a marker.</summary>
    private static string Email(string first, string last, long index, string domain) =>
        $"{AsciiLetters(first)}.{AsciiLetters(last)}.{index.ToString(CultureInfo.InvariantCulture)}@{domain.ToLowerInvariant()}";

    private static string AsciiLetters(string text)
    {
        var letters = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                letters.Append(char.ToLowerInvariant(c));
            }
        }

        return letters.Length == 0 ? "user" : letters.ToString();
    }

    private static string Phone(Faker faker)
    {
        var (code, digits) = faker.PickRandom(PhoneCountries);
        var national = new StringBuilder(digits);
        national.Append((char)('1' + faker.Random.Int(0, 8)));
        for (var d = 1; d < digits; d++)
        {
            national.Append((char)('0' + faker.Random.Int(0, 9)));
        }

        return "+" + code + national;
    }

    /// <summary>Shaped like a bcrypt hash: what the seed's password_hash column holds, never a real one.</summary>
    private static string PasswordHash(Faker faker) =>
        "$2b$12$" + faker.Random.String2(53, "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    private static decimal Money(Faker faker, decimal min, decimal max) =>
        decimal.Round(faker.Random.Decimal(min, max), Limits.MoneyScale, MidpointRounding.ToEven);

    /// <summary>A random instant in [from, to], to the millisecond (what the table stores).</summary>
    private static DateTimeOffset Between(Faker faker, DateTimeOffset from, DateTimeOffset to)
    {
        var start = from.ToUnixTimeMilliseconds();
        var end = Math.Max(start, to.ToUnixTimeMilliseconds());
        return DateTimeOffset.FromUnixTimeMilliseconds(faker.Random.Long(start, end));
    }

    private static string Truncate(string text) => text.Length <= Limits.MaxString ? text : text[..Limits.MaxString].TrimEnd();

    /// <summary>Generated data must pass the rules the API enforces, or it would test nothing real.</summary>
    private static T Valid<T>(T entity, Func<T, IReadOnlyList<FieldError>> validate)
    {
        var errors = validate(entity);
        return errors.Count == 0
            ? entity
            : throw new InvalidOperationException($"Generated {typeof(T).Name} breaks a rule: {string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}"))}");
    }
}
