using Serverless.Domain.Audit;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Roles;
using Serverless.Domain.Users;

namespace Serverless.Testing.Domain;

/// <summary>Valid entities with fixed values (approval tests depend on them not changing).</summary>
public static partial class Samples
{
    public static readonly DateTimeOffset Created = new(2026, 3, 14, 15, 9, 26, 535, TimeSpan.Zero);
    public static readonly DateTimeOffset Updated = new(2026, 3, 15, 8, 0, 0, 0, TimeSpan.Zero);

    public static User User(Guid? id = null, string? email = null, string? name = null)
    {
        var user = new User
        {
            Id = id ?? Guid.Parse("11111111-2222-4333-8444-555555555555"),
            Email = email ?? "ada.lovelace@example.com",
            Name = name ?? "Ada Lovelace",
            PasswordHash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
            Status = UserStatus.Active,
            Metadata = new Dictionary<string, string> { ["source"] = "import", ["tier"] = "gold" },
            Profile = new UserProfile
            {
                Avatar = "https://cdn.example.com/a/ada.png",
                Bio = "Wrote the first program.",
                Preferences = new Dictionary<string, string> { ["theme"] = "dark" },
            },
            Addresses =
            [
                new Address { Type = AddressType.Home, Street = "12 St James's Square", City = "London", Country = "GB", IsDefault = true },
                new Address { Type = AddressType.Work, Street = "1 Analytical Way", City = "Cambridge", Country = "GB" },
            ],
            Balance = 1234.50m,
            Phone = "+442071234567",
            CreatedAt = Created,
            UpdatedAt = Updated,
            Version = 3,
            LastWriter = "user:admin",
        };
        Registered(user);
        return user;
    }

    public static Order Order()
    {
        var order = new Order
        {
            Id = Guid.Parse("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"),
            UserId = Guid.Parse("11111111-2222-4333-8444-555555555555"),
            Status = OrderStatus.Shipped,
            OrderedAt = Created,
            UserEmail = "ada.lovelace@example.com",
            UserName = "Ada Lovelace",
            UserVersion = 3,
            Items =
            [
                new OrderItem { ProductId = Guid.Parse("99999999-8888-4777-8666-555555555555"), ProductName = "Difference Engine", Quantity = 2, UnitPrice = 19.99m },
                new OrderItem { ProductId = Guid.Parse("12345678-1234-4234-8234-123456789abc"), ProductName = "Punch cards", Quantity = 1, UnitPrice = 0.50m },
            ],
            Total = 40.48m,
            CreatedAt = Created,
            UpdatedAt = Updated,
            Version = 2,
            LastWriter = "user:ada",
        };
        Registered(order);
        return order;
    }

    public static Product Product() => new()
    {
        Id = Guid.Parse("99999999-8888-4777-8666-555555555555"),
        Name = "Difference Engine",
        Description = "Tabulates polynomial functions.",
        Price = 19.99m,
        CreatedAt = Created,
        UpdatedAt = Updated,
        Version = 1,
        LastWriter = "user:admin",
    };

    public static Role Role() => new()
    {
        Id = Guid.Parse("0f0f0f0f-1e1e-4d2d-8c3c-4b4b4b4b4b4b"),
        Name = "Admin",
        Description = "Manages users.",
        CreatedAt = Created,
        UpdatedAt = Updated,
        Version = 1,
        LastWriter = "user:root",
    };

    public static UserRole UserRole() => new()
    {
        UserId = Guid.Parse("11111111-2222-4333-8444-555555555555"),
        RoleId = Guid.Parse("0f0f0f0f-1e1e-4d2d-8c3c-4b4b4b4b4b4b"),
        RoleName = "Admin",
        AssignedAt = Created,
        LastWriter = "user:root",
    };

    public static Comment Comment() => new()
    {
        Id = Guid.Parse("c0c0c0c0-d1d1-4e2e-8f3f-a4a4a4a4a4a4"),
        TargetType = CommentTarget.Product,
        TargetId = Guid.Parse("99999999-8888-4777-8666-555555555555"),
        AuthorId = Guid.Parse("11111111-2222-4333-8444-555555555555"),
        Content = "Works as described — \"brilliant\".",
        CreatedAt = Created,
        UpdatedAt = Created,
        Version = 1,
        LastWriter = "user:ada",
    };

    public static AuditEntry AuditEntry() => new()
    {
        EntityType = "User",
        RecordId = "11111111-2222-4333-8444-555555555555",
        Action = AuditAction.Update,
        ChangedBy = "user:admin",
        ChangedAt = Updated,
        OldValues = """{"name":"Ada Byron"}""",
        NewValues = """{"name":"Ada Lovelace"}""",
        EventId = "4b1c2f9e0d3a4b5c6d7e8f9a0b1c2d3e",
        SequenceNumber = "4050000000000002063282832",
    };

    /// <summary>Where the shared test support is compiled whole, what a sample holds of PII is registered with the telemetry tap.</summary>
    static partial void Registered(User user);

    static partial void Registered(Order order);
}
