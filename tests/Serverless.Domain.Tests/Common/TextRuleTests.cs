using Serverless.Domain.Audit;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Products;
using Serverless.Domain.Roles;
using Serverless.Domain.Security;
using Serverless.Domain.Users;
using Serverless.Testing.Domain;

namespace Serverless.Domain.Tests.Common;

/// <summary>
/// The characters no string field may hold, checked on every string field of every entity (and on the password) by
/// the one rule in <see cref="TextRule"/>: each field refuses each class of bad character, names itself and the
/// character, and never repeats the value.
/// </summary>
public sealed class TextRuleTests
{
    /// <summary>The bad characters by name (theory data stays printable: a lone surrogate cannot be serialized).</summary>
    private static readonly Dictionary<string, string> Bad = new()
    {
        ["NUL"] = "\0",
        ["BEL"] = "\u0007",
        ["ESC"] = "\u001B",
        ["DEL"] = "\u007F",
        ["C1 NEL"] = "\u0085",
        ["RLO U+202E"] = "\u202E",
        ["LRE U+202A"] = "\u202A",
        ["LRI U+2066"] = "\u2066",
        ["PDI U+2069"] = "\u2069",
        ["RLM U+200F"] = "\u200F",
        ["LRM U+200E"] = "\u200E",
        ["ALM U+061C"] = "\u061C",
        ["lone high surrogate"] = "\ud800",
        ["lone low surrogate"] = "\udc00",
        ["reversed pair"] = "\udc00\ud800",
    };

    /// <summary>Line breaks: refused where a field is one line, allowed where it is free text.</summary>
    private static readonly Dictionary<string, string> LineBreaks = new()
    {
        ["CR LF"] = "\r\n",
        ["LF"] = "\n",
        ["CR"] = "\r",
        ["TAB"] = "\t",
        ["LINE SEPARATOR"] = "\u2028",
        ["PARAGRAPH SEPARATOR"] = "\u2029",
    };

    private const string Before = "Lovelace";

    /// <summary>Every string field: its JSON path, whether it is free text, and its rule set run with a value put in it.</summary>
    private static readonly Dictionary<string, (TextKind Kind, Func<string, IEnumerable<FieldError>> Validate)> Fields = new()
    {
        ["email"] = (TextKind.SingleLine, v => UserRules.Validate(Samples.User() with { Email = "ada" + v + "@example.com" })),
        ["name"] = (TextKind.SingleLine, v => UserRules.Validate(Samples.User() with { Name = Before + v })),
        ["passwordHash"] = (TextKind.SingleLine, v => UserRules.Validate(Samples.User() with { PasswordHash = "hash" + v })),
        ["phone"] = (TextKind.SingleLine, v => UserRules.Validate(Samples.User() with { Phone = "+4420" + v + "71234567" })),
        ["metadata.source"] = (TextKind.MultiLine, v => UserRules.Validate(Samples.User() with { Metadata = new Dictionary<string, string> { ["source"] = Before + v } })),
        ["metadata"] = (TextKind.SingleLine, v => UserRules.Validate(Samples.User() with { Metadata = new Dictionary<string, string> { [Before + v] = "x" } })),
        ["profile.avatar"] = (TextKind.SingleLine, v => UserRules.Validate(Samples.User() with { Profile = new UserProfile { Avatar = Before + v } })),
        ["profile.bio"] = (TextKind.MultiLine, v => UserRules.Validate(Samples.User() with { Profile = new UserProfile { Bio = Before + v } })),
        ["profile.preferences.theme"] = (TextKind.MultiLine, v => UserRules.Validate(Samples.User() with
        {
            Profile = new UserProfile { Preferences = new Dictionary<string, string> { ["theme"] = Before + v } },
        })),
        ["profile.preferences"] = (TextKind.SingleLine, v => UserRules.Validate(Samples.User() with
        {
            Profile = new UserProfile { Preferences = new Dictionary<string, string> { [Before + v] = "dark" } },
        })),
        ["addresses[1].street"] = (TextKind.SingleLine, v => UserRules.Validate(WithAddress(a => a with { Street = Before + v }))),
        ["addresses[1].city"] = (TextKind.SingleLine, v => UserRules.Validate(WithAddress(a => a with { City = Before + v }))),
        ["addresses[1].country"] = (TextKind.SingleLine, v => UserRules.Validate(WithAddress(a => a with { Country = "G" + v + "B" }))),
        ["order.userEmail"] = (TextKind.SingleLine, v => OrderRules.Validate(Samples.Order() with { UserEmail = "ada" + v + "@example.com" })),
        ["order.userName"] = (TextKind.SingleLine, v => OrderRules.Validate(Samples.Order() with { UserName = Before + v })),
        ["order.items[1].productName"] = (TextKind.SingleLine, v =>
        {
            var order = Samples.Order();
            return OrderRules.Validate(order with { Items = [order.Items[0], order.Items[1] with { ProductName = Before + v }] });
        }),
        ["product.name"] = (TextKind.SingleLine, v => ProductRules.Validate(Samples.Product() with { Name = Before + v })),
        ["product.description"] = (TextKind.MultiLine, v => ProductRules.Validate(Samples.Product() with { Description = Before + v })),
        ["role.name"] = (TextKind.SingleLine, v => RoleRules.Validate(Samples.Role() with { Name = Before + v })),
        ["role.description"] = (TextKind.MultiLine, v => RoleRules.Validate(Samples.Role() with { Description = Before + v })),
        ["userRole.roleName"] = (TextKind.SingleLine, v => UserRoleRules.Validate(Samples.UserRole() with { RoleName = Before + v })),
        ["comment.content"] = (TextKind.MultiLine, v => CommentRules.Validate(Samples.Comment() with { Content = Before + v })),
        ["audit.entityType"] = (TextKind.SingleLine, v => AuditEntryRules.Validate(Samples.AuditEntry() with { EntityType = "User" + v })),
        ["audit.recordId"] = (TextKind.SingleLine, v => AuditEntryRules.Validate(Samples.AuditEntry() with { RecordId = Before + v })),
        ["audit.changedBy"] = (TextKind.SingleLine, v => AuditEntryRules.Validate(Samples.AuditEntry() with { ChangedBy = Before + v })),
        ["audit.eventId"] = (TextKind.SingleLine, v => AuditEntryRules.Validate(Samples.AuditEntry() with { EventId = Before + v })),
        ["password"] = (TextKind.SingleLine, v => PasswordHasher.Problem("correct horse" + v + "battery") is { } problem
            ? [new FieldError("password", problem)]
            : []),
    };

    public static TheoryData<string, string> EveryFieldAndBadCharacter()
    {
        var data = new TheoryData<string, string>();
        foreach (var field in Fields.Keys)
        {
            foreach (var bad in Bad.Keys)
            {
                data.Add(field, bad);
            }

            if (Fields[field].Kind == TextKind.SingleLine)
            {
                foreach (var lineBreak in LineBreaks.Keys)
                {
                    data.Add(field, lineBreak);
                }
            }
        }

        return data;
    }

    public static TheoryData<string, string> FreeTextFieldsAndLineBreaks()
    {
        var data = new TheoryData<string, string>();
        foreach (var field in Fields.Where(f => f.Value.Kind == TextKind.MultiLine).Select(f => f.Key))
        {
            foreach (var lineBreak in new[] { "CR LF", "LF", "CR", "TAB" })
            {
                data.Add(field, lineBreak);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryFieldAndBadCharacter))]
    public void Every_string_field_refuses_every_bad_character_naming_the_field_and_not_the_value(string field, string character)
    {
        var bad = Bad.GetValueOrDefault(character) ?? LineBreaks[character];

        var errors = Fields[field].Validate(bad).ToList();

        var error = Assert.Single(errors);
        Assert.Equal(field[(field.IndexOf('.', StringComparison.Ordinal) is var dot && IsEntityPrefix(field[..Math.Max(dot, 0)]) ? dot + 1 : 0)..], error.Field);
        Assert.Contains("U+" + ((int)bad[0]).ToString("X4", System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Before, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(bad, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(FreeTextFieldsAndLineBreaks))]
    public void Free_text_fields_keep_tabs_and_line_breaks(string field, string character) =>
        Assert.Empty(Fields[field].Validate(LineBreaks[character] + "second line"));

    [Fact]
    public void Every_field_takes_text_beyond_ASCII()
    {
        // Accents, a right-to-left script (which needs no formatting marks), CJK and an emoji (a surrogate pair).
        foreach (var (field, (_, validate)) in Fields.Where(f => f.Key is not ("email" or "phone" or "order.userEmail")))
        {
            Assert.True(!validate("Åsa Ødegård عمر 李 🙂").Any(), field);
        }
    }

    [Fact]
    public void The_message_names_the_code_point_and_its_index()
    {
        Assert.Equal(
            "must not contain control characters such as NUL or line breaks (found U+0000 at index 3).",
            TextRule.Problem("Ada\0"));
        Assert.Equal(
            "must not contain bidirectional formatting characters, which change how text is displayed (found U+202E at index 0).",
            TextRule.Problem("\u202Egnp.exe"));
        Assert.Equal(
            "must be valid Unicode text, without unpaired surrogates (found U+D800 at index 2).",
            TextRule.Problem("ab\ud800"));
        Assert.Equal(
            "must not contain control characters other than tab, line feed and carriage return (found U+001B at index 4).",
            TextRule.Problem("one\n\u001B[31m", TextKind.MultiLine));
    }

    [Fact]
    public void A_surrogate_pair_is_one_character_and_passes() => Assert.Null(TextRule.Problem("\ud83d\ude42"));

    [Fact]
    public void Null_and_empty_are_left_to_the_other_rules()
    {
        Assert.Null(TextRule.Problem(null));
        Assert.Null(TextRule.Problem(""));
    }

    private static bool IsEntityPrefix(string prefix) => prefix is "order" or "product" or "role" or "userRole" or "comment" or "audit";

    private static User WithAddress(Func<Address, Address> change)
    {
        var user = Samples.User();
        return user with { Addresses = [user.Addresses[0], change(user.Addresses[1])] };
    }
}
