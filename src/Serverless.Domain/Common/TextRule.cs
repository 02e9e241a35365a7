using System.Globalization;

namespace Serverless.Domain;

/// <summary>Whether a field holds one line (names, emails, cities) or free text that may break lines (a comment).</summary>
public enum TextKind
{
    SingleLine,

    /// <summary>Tab, line feed and carriage return are allowed; every other control character is not.</summary>
    MultiLine,
}

/// <summary>
/// The characters no string field may hold, whatever its other rules: control characters (Unicode category Cc: NUL,
/// line breaks in a one-line field, escape sequences), the invisible marks that reorder how text is displayed
/// (bidirectional formatting: a name with U+202E shows its letters backwards in every list it appears in), and
/// unpaired surrogates (not Unicode text at all; DynamoDB, JSON writers and UTF-8 encoders each treat them differently).
/// One-line fields also refuse U+2028 and U+2029, which many viewers and JavaScript treat as line breaks.
/// </summary>
/// <remarks>
/// Every rule set checks its strings through <see cref="FieldErrorCollector"/>, which applies this rule, so there is
/// one rule and no copies. The message names the character by its code point and index, never the value around it.
/// </remarks>
public static class TextRule
{
    /// <summary>The start of the message for an unpaired surrogate, shared with hosts that find one before this rule runs.</summary>
    public const string UnpairedSurrogate = "must be valid Unicode text, without unpaired surrogates";

    /// <summary>Why <paramref name="value"/> cannot be stored, or null when it can (null itself is left to other rules).</summary>
    public static string? Problem(string? value, TextKind kind = TextKind.SingleLine)
    {
        if (value is null)
        {
            return null;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                // A pair is one character outside the Basic Multilingual Plane (an emoji, a CJK extension letter).
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return $"{UnpairedSurrogate} (found {CodePoint(c)} at index {Index(i)}).";
            }

            if (char.IsControl(c) && !(kind == TextKind.MultiLine && c is '\t' or '\n' or '\r'))
            {
                return kind == TextKind.MultiLine
                    ? $"must not contain control characters other than tab, line feed and carriage return (found {CodePoint(c)} at index {Index(i)})."
                    : $"must not contain control characters such as NUL or line breaks (found {CodePoint(c)} at index {Index(i)}).";
            }

            if (kind == TextKind.SingleLine && c is '\u2028' or '\u2029')
            {
                return $"must be one line: it has a line or paragraph separator ({CodePoint(c)} at index {Index(i)}).";
            }

            if (IsBidiFormatting(c))
            {
                return $"must not contain bidirectional formatting characters, which change how text is displayed (found {CodePoint(c)} at index {Index(i)}).";
            }
        }

        return null;
    }

    /// <summary>
    /// The embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the implicit marks (U+200E, U+200F,
    /// U+061C): the characters of Unicode's bidirectional algorithm that are invisible and only steer display.
    /// </summary>
    public static bool IsBidiFormatting(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C';

    private static string CodePoint(char c) => "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}
