using Serverless.Domain.Users;

namespace Serverless.Bench.Support;

/// <summary>Plain, valid users for the sections that need a few (the seeding and growth sections use the seed generator).</summary>
public static class BenchUsers
{
    /// <summary>A fixed, valid PBKDF2 hash: users written by the harness skip the 600,000-iteration hashing.</summary>
    public const string PasswordHash = "pbkdf2-sha256$600000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    public static User Create(int n, DateTimeOffset createdAt, string city = "Lisbon") => new()
    {
        Id = Guid.NewGuid(),
        Email = $"bench.user{n}.{Guid.NewGuid():N}@example.com",
        Name = $"Bench User {n}",
        PasswordHash = PasswordHash,
        Status = UserStatus.Active,
        Addresses = [new Address { Type = AddressType.Home, Street = $"{n} Rua Augusta", City = city, Country = "PT", IsDefault = true }],
        Balance = 10.50m,
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
    };
}
