using System.Buffers;
using System.Text.RegularExpressions;

namespace Serverless.Testing.Telemetry;

/// <summary>
/// Finds, in one piece of text, which kinds of secret it holds: any registered value (case-insensitive, one pass for
/// all of them), a registered balance as a whole number token, and anything shaped like a JWT or an email address
/// whether registered or not (a token or an address the tests never saw made is no less a leak).
/// </summary>
public sealed partial class SecretMatcher
{
    private readonly string[] _values;
    private readonly IReadOnlyDictionary<string, PiiKind> _kinds;
    private readonly SearchValues<string> _search;
    private readonly HashSet<string> _balances;

    public SecretMatcher(IReadOnlyDictionary<string, PiiKind> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _kinds = values;
        _values = [.. values.Where(v => v.Value != PiiKind.Balance).Select(v => v.Key)];
        _search = SearchValues.Create(_values, StringComparison.OrdinalIgnoreCase);
        _balances = [.. values.Where(v => v.Value == PiiKind.Balance).Select(v => v.Key)];
    }

    /// <summary>The kinds found in <paramref name="text"/>, each once: "Email", "Token", ..., "JWT-shaped token", "email-shaped text".</summary>
    public IReadOnlySet<string> KindsIn(string? text)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(text))
        {
            return found;
        }

        var span = text.AsSpan();
        var offset = 0;
        while (_values.Length > 0 && span[offset..].IndexOfAny(_search) is var at and >= 0)
        {
            var start = offset + at;
            foreach (var value in _values)
            {
                if (span[start..].StartsWith(value, StringComparison.OrdinalIgnoreCase))
                {
                    found.Add(_kinds[value].ToString());
                }
            }

            offset = start + 1;
        }

        if (_balances.Count > 0)
        {
            foreach (Match number in Number().Matches(text))
            {
                if (_balances.Contains(number.Value))
                {
                    found.Add(nameof(PiiKind.Balance));
                }
            }
        }

        if (Jwt().IsMatch(text))
        {
            found.Add("JWT-shaped token");
        }

        if (Email().IsMatch(text))
        {
            found.Add("email-shaped text");
        }

        return found;
    }

    // A whole number token: not part of a longer number, so "12.50" is not found in "112.505".
    [GeneratedRegex(@"(?<![0-9.])[0-9]+\.[0-9]+(?![0-9.])", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    // A JOSE header is base64url of '{"': every JWT starts "eyJ", and has three dot-separated base64url parts.
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex Email();
}
