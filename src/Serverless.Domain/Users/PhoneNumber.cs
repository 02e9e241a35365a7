using System.Text.RegularExpressions;

namespace Serverless.Domain.Users;

/// <summary>Schema version 2's phone: E.164 (a plus, a non-zero digit, at most 15 digits in all).</summary>
public static partial class PhoneNumber
{
    // [0-9] rather than \d: in .NET \d also matches non-ASCII digits such as '٣', which E.164 does not allow.
    // '\z', not '$': .NET's '$' also matches before a final '\n'.
    public const string Pattern = @"^\+[1-9][0-9]{1,14}\z";

    /// <summary>Where schema version 1 kept the phone.</summary>
    public const string LegacyMetadataKey = "phone";

    public static bool IsValid(string? phone) => phone is not null && E164Regex().IsMatch(phone);

    // No nested quantifiers: matching is linear, so no timeout is needed.
    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex E164Regex();
}
