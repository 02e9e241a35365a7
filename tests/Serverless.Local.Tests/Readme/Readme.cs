using System.Text.RegularExpressions;
using Serverless.Testing;

namespace Serverless.Local.Tests.Readme;

/// <summary>The repository's README.md, read as a newcomer reads it.</summary>
internal static partial class Readme
{
    public static string Text { get; } = File.ReadAllText(RepoPaths.Of("README.md"));

    /// <summary>
    /// The set-up commands: the lines of the README's first fenced code block, each without its trailing
    /// <c># comment</c> (the local stack first, the tests second).
    /// </summary>
    public static IReadOnlyList<string> SetUpCommands()
    {
        var block = FencedBlock().Match(Text);
        if (!block.Success)
        {
            throw new InvalidOperationException("README.md has no fenced code block.");
        }

        return
        [
            .. block.Groups["body"].Value.Split('\n')
                .Select(line => TrailingComment().Replace(line, "").Trim())
                .Where(line => line.Length > 0),
        ];
    }

    [GeneratedRegex(@"^```[a-z]*\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"\s+#.*$")]
    private static partial Regex TrailingComment();
}
