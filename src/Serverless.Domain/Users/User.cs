namespace Serverless.Domain.Users;

public enum UserStatus { Active, Inactive, Suspended, Deleted }

public enum AddressType { Home, Work, Other }

public sealed record Address
{
    public required AddressType Type { get; init; }

    public required string Street { get; init; }

    public required string City { get; init; }

    public required string Country { get; init; }

    public bool IsDefault { get; init; }
}

public sealed record UserProfile
{
    public string? Avatar { get; init; }

    public string? Bio { get; init; }

    public IReadOnlyDictionary<string, string> Preferences { get; init; } = new Dictionary<string, string>();
}

public sealed record User : Entity
{
    public required Guid Id { get; init; }

    public required string Email { get; init; }

    public required string Name { get; init; }

    /// <summary>Never returned by the API and never logged.</summary>
    public required string PasswordHash { get; init; }

    public UserStatus Status { get; init; } = UserStatus.Active;

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public UserProfile? Profile { get; init; }

    public IReadOnlyList<Address> Addresses { get; init; } = [];

    /// <summary>decimal(10,2), never negative.</summary>
    public decimal Balance { get; init; }

    /// <summary>E.164; schema version 2 moved it out of <see cref="Metadata"/>.</summary>
    public string? Phone { get; init; }

    public DateTimeOffset? DeletedAt { get; init; }

    public DateTimeOffset? PurgeAfter { get; init; }
}
