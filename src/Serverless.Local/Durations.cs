using System.Globalization;

namespace Serverless.Local;

/// <summary>The CLI's one spelling of a duration, shared by the options that take one (token --lifetime, sweep --as-of +31d).</summary>
public static class Durations
{
    /// <summary>A positive number with s, m, h or d (90s, 30m, 1h, 7d), or hh:mm:ss.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (text.Length >= 2 && char.IsAsciiLetter(text[^1])
            && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            TimeSpan? parsed = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (parsed is { } p && p > TimeSpan.Zero)
            {
                value = p;
                return true;
            }

            return false;
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            value = span;
            return true;
        }

        return false;
    }
}
