using System.Globalization;
using System.Text;

namespace Serverless.Domain.Search;

/// <summary>
/// The terms of a text for the name search: split on anything that is not a letter, digit or combining mark,
/// lower-cased, Porter-stemmed, distinct, in order of first appearance. Indexing and querying call the same
/// function, so "Running Connections" finds a user named "run connection".
/// </summary>
public static class SearchTerms
{
    public static IReadOnlyList<string> Of(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        // No Unicode normalization here: the build runs with InvariantGlobalization, where string.Normalize is
        // a no-op. Text is taken as sent (clients send NFC in practice); combining marks at least stay in their word.
        var terms = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var word = new StringBuilder();

        foreach (var rune in text.EnumerateRunes())
        {
            if (IsWordRune(rune))
            {
                word.Append(Rune.ToLowerInvariant(rune).ToString());
                continue;
            }

            AddWord(word, terms, seen);
        }

        AddWord(word, terms, seen);
        return terms;
    }

    private static void AddWord(StringBuilder word, List<string> terms, HashSet<string> seen)
    {
        if (word.Length == 0)
        {
            return;
        }

        var stem = PorterStemmer.Stem(word.ToString());
        word.Clear();
        if (seen.Add(stem))
        {
            terms.Add(stem);
        }
    }

    private static bool IsWordRune(Rune rune) =>
        Rune.IsLetterOrDigit(rune)
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
}
