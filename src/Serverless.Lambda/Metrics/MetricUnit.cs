namespace Serverless.Lambda.Metrics;

/// <summary>
/// The units CloudWatch accepts in an embedded metric format <c>MetricDefinition</c>, spelled as the specification
/// spells them. An instrument whose unit is not one of these is written with <see cref="None"/>, never with a unit
/// CloudWatch would reject (a rejected unit loses the whole document).
/// </summary>
public static class MetricUnit
{
    public const string None = "None";
    public const string Count = "Count";
    public const string Milliseconds = "Milliseconds";
    public const string Seconds = "Seconds";
    public const string Microseconds = "Microseconds";
    public const string Bytes = "Bytes";
    public const string Percent = "Percent";

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
        "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
        "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
        "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
    };

    /// <summary>Every unit the specification allows.</summary>
    public static IReadOnlyCollection<string> All => Known;

    /// <summary>The unit as CloudWatch names it, or <see cref="None"/> for anything it would not accept.</summary>
    public static string Normalize(string? unit) => unit is not null && Known.Contains(unit) ? unit : None;
}
