using Serverless.Domain.Search;

namespace Serverless.Domain.Users;

/// <summary>The seed's constraints on a user, checked before any write.</summary>
public sealed class UserRules : Rules<User, UserRules>, IRuleSet<User>
{
    public static void Check(User user, FieldErrorCollector errors)
    {
        errors.NotEmpty("id", user.Id);

        errors.RequiredString("email", user.Email);
        if (!string.IsNullOrWhiteSpace(user.Email) && user.Email.Length <= Limits.MaxString
            && TextRule.Problem(user.Email) is null && !EmailAddress.IsValid(user.Email))
        {
            errors.Add("email", "is not a valid email address.");
        }

        errors.RequiredString("name", user.Name);
        if (user.Name is not null && SearchTerms.Of(user.Name).Count > Limits.MaxNameWords)
        {
            errors.Add("name", $"must have at most {Limits.MaxNameWords} distinct words.");
        }

        errors.RequiredString("passwordHash", user.PasswordHash);
        errors.Defined("status", user.Status, EnumNames.UserStatus);
        errors.StringMap("metadata", user.Metadata);
        errors.Money("balance", user.Balance);

        if (errors.Text("phone", user.Phone) && user.Phone is not null && !PhoneNumber.IsValid(user.Phone))
        {
            errors.Add("phone", "must be an E.164 number such as +14155550123.");
        }

        if (user.Profile is { } profile)
        {
            errors.MaxLength("profile.avatar", profile.Avatar);
            errors.MaxLength("profile.bio", profile.Bio, kind: TextKind.MultiLine);
            errors.StringMap("profile.preferences", profile.Preferences);
        }

        ValidateAddresses(user.Addresses, errors);
    }

    private static void ValidateAddresses(IReadOnlyList<Address>? addresses, FieldErrorCollector errors)
    {
        if (addresses is null)
        {
            errors.Add("addresses", "must not be null.");
            return;
        }

        if (addresses.Count > Limits.MaxAddresses)
        {
            errors.Add("addresses", $"must have at most {Limits.MaxAddresses} entries.");
        }

        if (addresses.Count(a => a is { IsDefault: true }) > 1)
        {
            errors.Add("addresses", "at most one address can be the default.");
        }

        for (var i = 0; i < addresses.Count; i++)
        {
            var path = $"addresses[{i}]";
            var address = addresses[i];
            if (address is null)
            {
                errors.Add(path, "must not be null.");
                continue;
            }

            errors.Defined($"{path}.type", address.Type, EnumNames.AddressType);
            errors.RequiredString($"{path}.street", address.Street);
            errors.RequiredString($"{path}.city", address.City);
            errors.RequiredString($"{path}.country", address.Country);
        }
    }
}
