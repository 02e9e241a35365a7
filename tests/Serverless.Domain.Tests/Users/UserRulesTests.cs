using Serverless.Domain;
using Serverless.Domain.Users;
using Serverless.Testing.Domain;

namespace Serverless.Domain.Tests.Users;

public sealed class UserRulesTests
{
    [Fact]
    public void A_valid_user_has_no_errors() => Assert.Empty(UserRules.Validate(Samples.User()));

    [Theory]
    [InlineData("plainaddress")]
    [InlineData("@example.com")]
    [InlineData("ada@example")]
    [InlineData("ada@example.c")]
    [InlineData("ada lovelace@example.com")]
    [InlineData("ada@exa mple.com")]
    [InlineData("ada@example.com\n")]
    // The seed's [A-Z|a-z] reads as "A-Z, a pipe, a-z": the pipe was a slip, never a character of a domain.
    [InlineData("pipe@example.c|m")]
    [InlineData("pipe@example.||")]
    [InlineData("pipe@example.com|")]
    [InlineData("pipe@exa|mple.com")]
    [InlineData("pi|pe@example.com")]
    public void Emails_not_matching_the_seeds_pattern_are_rejected(string email) =>
        AssertOnlyError(Samples.User() with { Email = email }, "email");

    [Theory]
    [InlineData("a.b+c@sub.example.museum")]
    [InlineData("Ada_L%1@Example.CO")]
    [InlineData("x-y@a-b.io")]
    public void Emails_matching_the_seeds_pattern_are_accepted(string email) =>
        Assert.Empty(UserRules.Validate(Samples.User() with { Email = email }));

    [Fact]
    public void An_email_longer_than_255_characters_is_rejected() =>
        AssertOnlyError(Samples.User() with { Email = new string('a', 250) + "@x.org" }, "email");

    [Theory]
    [InlineData("", "email")]
    [InlineData("   ", "name")]
    [InlineData("", "passwordHash")]
    public void Required_strings_must_not_be_blank(string value, string field)
    {
        var user = field switch
        {
            "email" => Samples.User() with { Email = value },
            "name" => Samples.User() with { Name = value },
            _ => Samples.User() with { PasswordHash = value },
        };
        Assert.Contains(UserRules.Validate(user), e => e.Field == field);
    }

    [Fact]
    public void Strings_longer_than_255_characters_are_rejected_with_their_json_path()
    {
        var longText = new string('x', 256);
        var user = Samples.User() with
        {
            Name = longText,
            Profile = new UserProfile { Bio = longText },
            Addresses = [new Address { Type = AddressType.Home, Street = "s", City = longText, Country = "GB" }],
        };
        Assert.Equal(["name", "profile.bio", "addresses[0].city"], UserRules.Validate(user).Select(e => e.Field));
    }

    [Fact]
    public void An_unknown_status_value_is_rejected() =>
        AssertOnlyError(Samples.User() with { Status = (UserStatus)42 }, "status");

    [Fact]
    public void An_unknown_address_type_is_rejected() =>
        AssertOnlyError(Samples.User() with { Addresses = [new Address { Type = (AddressType)7, Street = "s", City = "c", Country = "GB" }] }, "addresses[0].type");

    [Theory]
    [InlineData("-0.01")]
    [InlineData("0.001")]
    [InlineData("100000000.00")]
    public void A_balance_outside_decimal_10_2_or_negative_is_rejected(string balance) =>
        AssertOnlyError(Samples.User() with { Balance = decimal.Parse(balance, System.Globalization.CultureInfo.InvariantCulture) }, "balance");

    [Theory]
    [InlineData("0")]
    [InlineData("99999999.99")]
    [InlineData("12.50")]
    public void Balances_within_decimal_10_2_are_accepted(string balance) =>
        Assert.Empty(UserRules.Validate(Samples.User() with { Balance = decimal.Parse(balance, System.Globalization.CultureInfo.InvariantCulture) }));

    [Theory]
    [InlineData("14155550123")]
    [InlineData("+04155550123")]
    [InlineData("+1")]
    [InlineData("+1234567890123456")]
    [InlineData("+1 415 555 0123")]
    [InlineData("+١٢٣٤٥")]
    public void A_phone_not_in_e164_is_rejected(string phone) =>
        AssertOnlyError(Samples.User() with { Phone = phone }, "phone");

    [Fact]
    public void More_than_ten_addresses_are_rejected()
    {
        var address = new Address { Type = AddressType.Other, Street = "s", City = "c", Country = "GB" };
        AssertOnlyError(Samples.User() with { Addresses = [.. Enumerable.Repeat(address, 11)] }, "addresses");
    }

    [Fact]
    public void Two_default_addresses_are_rejected()
    {
        var address = new Address { Type = AddressType.Home, Street = "s", City = "c", Country = "GB", IsDefault = true };
        AssertOnlyError(Samples.User() with { Addresses = [address, address] }, "addresses");
    }

    [Fact]
    public void Metadata_with_too_many_entries_or_long_values_is_rejected()
    {
        var many = Enumerable.Range(0, 51).ToDictionary(i => "k" + i, i => "v");
        AssertOnlyError(Samples.User() with { Metadata = many }, "metadata");
        AssertOnlyError(Samples.User() with { Metadata = new Dictionary<string, string> { ["note"] = new string('v', 256) } }, "metadata.note");
        AssertOnlyError(Samples.User() with { Metadata = new Dictionary<string, string> { [new string('k', 256)] = "v" } }, "metadata");
    }

    [Fact]
    public void Preferences_are_bounded_like_metadata() =>
        AssertOnlyError(
            Samples.User() with { Profile = new UserProfile { Preferences = new Dictionary<string, string> { ["theme"] = new string('v', 256) } } },
            "profile.preferences.theme");

    [Fact]
    public void A_name_with_more_than_twenty_distinct_words_is_rejected() =>
        AssertOnlyError(Samples.User() with { Name = string.Join(' ', Enumerable.Range(0, 21).Select(i => "w" + i)) }, "name");

    [Fact]
    public void Every_broken_rule_is_reported_at_once()
    {
        var user = Samples.User() with { Email = "nope", Name = "", Balance = -1m, Phone = "123" };
        var fields = UserRules.Validate(user).Select(e => e.Field).ToList();
        Assert.Equal(["email", "name", "balance", "phone"], fields);
        var thrown = Assert.Throws<ValidationException>(() => UserRules.EnsureValid(user));
        Assert.Equal(4, thrown.Errors.Count);
    }

    [Fact]
    public void Email_normalization_trims_and_lower_cases() =>
        Assert.Equal("ada@example.com", EmailAddress.Normalize("  Ada@Example.COM "));

    private static void AssertOnlyError(User user, string field)
    {
        var errors = UserRules.Validate(user);
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
    }
}
