using System.Text.RegularExpressions;

namespace Serverless.Domain.Users;

/// <summary>The seed's email rules: <c>VARCHAR(255)</c> and the <c>email_format</c> CHECK constraint.</summary>
public static partial class EmailAddress
{
    /// <summary>
    /// The seed's pattern as its author meant it. The seed writes the top-level domain as <c>[A-Z|a-z]</c>, where the
    /// <c>|</c> is a slip (inside a character class it is a literal pipe, not "or"): it let <c>pipe@example.c|m</c>
    /// through. No other part of the pattern has the slip: the local part and the domain list their characters plainly.
    /// </summary>
    public const string Pattern = @"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$";

    // .NET's '$' also matches before a final '\n'; '\z' is the end of input, which is what the seed means.
    private const string AnchoredPattern = @"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\z";

    public static bool IsValid(string? email) =>
        email is not null && email.Length <= Limits.MaxString && FormatRegex().IsMatch(email);

    /// <summary>
    /// The form used for uniqueness and lookup: trimmed and lower-cased, so "Ann@X.org " and "ann@x.org"
    /// are one address (the seed's CHECK uses <c>~*</c>, a case-insensitive match).
    /// </summary>
    public static string Normalize(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email.Trim().ToLowerInvariant();
    }

    // The pattern lists both cases itself (so no IgnoreCase, which would let e.g. the Kelvin sign match 'k').
    // NonBacktracking: linear time on hostile input without a wall-clock timeout that fires on a busy machine.
    [GeneratedRegex(AnchoredPattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex FormatRegex();
}
