using System.Globalization;

namespace Serverless.Data.Table;

/// <summary>
/// Timestamps inside sort keys: fixed-width ISO-8601 UTC with milliseconds, so string order is time order
/// and a key reads well in the console. Attribute values use epoch milliseconds instead (numbers).
/// </summary>
public static class SortableTime
{
    private const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
