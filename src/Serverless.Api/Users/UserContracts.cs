using Serverless.Domain.Users;

namespace Serverless.Api.Users;

/// <summary>POST /users. The password arrives in clear over TLS and is only ever stored hashed.</summary>
public sealed record CreateUserRequest
{
    // Optional members have setters, not init: the source-generated deserializer assigns every init member
    // (absent ones as default), which would erase the defaults below.

    public required string Email { get; init; }

    public required string Name { get; init; }

    public required string Password { get; init; }

    /// <summary>Defaults to active; deleted is reached only through DELETE.</summary>
    public UserStatus Status { get; set; } = UserStatus.Active;

    public Dictionary<string, string> Metadata { get; set; } = [];

    public ProfileDto? Profile { get; set; }

    public List<AddressDto> Addresses { get; set; } = [];

    /// <summary>decimal(10,2), never negative.</summary>
    public decimal Balance { get; set; }

    /// <summary>E.164, such as +14155550123.</summary>
    public string? Phone { get; set; }
}

/// <summary>
/// PATCH /users/{id}: only the members sent change. <c>phone</c> and <c>profile</c> can be cleared with null;
/// the other members cannot be null.
/// </summary>
public sealed class UpdateUserRequest : PatchRequest
{
    public string? Email { get => field; set => field = Present(value); }

    public string? Name { get => field; set => field = Present(value); }

    /// <summary>A new password; stored hashed.</summary>
    public string? Password { get => field; set => field = Present(value); }

    public UserStatus? Status { get => field; set => field = Present(value); }

    public Dictionary<string, string>? Metadata { get => field; set => field = Present(value); }

    public ProfileDto? Profile { get => field; set => field = Present(value); }

    public List<AddressDto>? Addresses { get => field; set => field = Present(value); }

    public decimal? Balance { get => field; set => field = Present(value); }

    public string? Phone { get => field; set => field = Present(value); }
}

public sealed record ProfileDto
{
    public string? Avatar { get; set; }

    public string? Bio { get; set; }

    public Dictionary<string, string> Preferences { get; set; } = [];
}

public sealed record AddressDto
{
    public required AddressType Type { get; init; }

    public required string Street { get; init; }

    public required string City { get; init; }

    public required string Country { get; init; }

    public bool IsDefault { get; set; }
}

/// <summary>A user as the API shows it: everything but the password hash.</summary>
public sealed record UserResponse(
    Guid Id,
    string Email,
    string Name,
    UserStatus Status,
    IReadOnlyDictionary<string, string> Metadata,
    ProfileDto? Profile,
    IReadOnlyList<AddressDto> Addresses,
    decimal Balance,
    string? Phone,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt,
    DateTimeOffset? PurgeAfter,
    long Version)
{
    public static UserResponse From(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(
            user.Id,
            user.Email,
            user.Name,
            user.Status,
            user.Metadata,
            user.Profile is { } p ? new ProfileDto { Avatar = p.Avatar, Bio = p.Bio, Preferences = new(p.Preferences) } : null,
            [.. user.Addresses.Select(a => new AddressDto { Type = a.Type, Street = a.Street, City = a.City, Country = a.Country, IsDefault = a.IsDefault })],
            user.Balance,
            user.Phone,
            user.CreatedAt,
            user.UpdatedAt,
            user.DeletedAt,
            user.PurgeAfter,
            user.Version);
    }
}

internal static class UserMapping
{
    public static UserProfile? ToProfile(ProfileDto? dto) =>
        dto is null ? null : new UserProfile { Avatar = dto.Avatar, Bio = dto.Bio, Preferences = dto.Preferences ?? [] };

    public static List<Address> ToAddresses(IEnumerable<AddressDto> dtos) =>
        [.. dtos.Select(a => a is null ? null! : new Address { Type = a.Type, Street = a.Street, City = a.City, Country = a.Country, IsDefault = a.IsDefault })];
}
