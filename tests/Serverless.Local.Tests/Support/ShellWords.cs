using System.Text;

namespace Serverless.Local.Tests.Support;

/// <summary>The words a POSIX shell makes of one command line, for the plain lines docs and scripts hold.</summary>
internal static class ShellWords
{
    /// <summary>
    /// Splits at unquoted blanks, with single and double quotes and backslash escapes; an unquoted <c>#</c> that
    /// starts a word begins a comment. No expansions: the lines this reads have none to expand.
    /// </summary>
    public static IReadOnlyList<string> Split(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else if (c == '\\' && q == '"' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$' or '`')
                {
                    word.Append(line[++i]);
                }
                else
                {
                    word.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case ' ' or '\t':
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }

                    break;
                case '#' when !inWord:
                    return words;
                case '\'' or '"':
                    quote = c;
                    inWord = true;
                    break;
                case '\\' when i + 1 < line.Length:
                    word.Append(line[++i]);
                    inWord = true;
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (quote is not null)
        {
            throw new FormatException($"Unterminated {quote} quote in: {line}");
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
