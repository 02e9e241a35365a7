namespace Serverless.Bench.Report;

/// <summary>One section of docs/benchmarks.md, saved as JSON by the run that measured it.</summary>
public sealed class SectionResult
{
    public required string Key { get; init; }

    public required string Title { get; init; }

    /// <summary>What was measured and how, in a few sentences.</summary>
    public required string Method { get; init; }

    public List<Row> Rows { get; init; } = [];

    /// <summary>Raw figures beside the rows (medians, percentiles, counts), one line each.</summary>
    public List<string> Details { get; init; } = [];

    /// <summary>Where a goal is missed: by how much and where the time goes.</summary>
    public List<string> Notes { get; init; } = [];

    public DateTimeOffset MeasuredAt { get; init; } = DateTimeOffset.UtcNow;

    public bool Quick { get; init; }

    public TimeSpan Elapsed { get; set; }

    /// <summary>Set when the section could not be measured; the report says so instead of showing old figures.</summary>
    public string? Error { get; set; }
}

/// <summary>
/// A figure beside its baseline: <see cref="Ratio"/> is ours / baseline (or as the measure says), judged against
/// <see cref="Goal"/>. The goal is a report line, never a test assertion.
/// </summary>
public sealed class Row
{
    public required string Measure { get; init; }

    public required string Ours { get; init; }

    public string Baseline { get; init; } = "";

    public double? Ratio { get; init; }

    public Goal? Goal { get; init; }

    public string Anchor { get; init; } = "";

    public string Verdict => Goal is null || Ratio is null ? "" : Goal.Judge(Ratio.Value);
}

/// <summary>A bound on a ratio (or on a plain figure): at most or at least <see cref="Limit"/>.</summary>
public sealed class Goal
{
    public required string Text { get; init; }

    public required double Limit { get; init; }

    public required bool AtMost { get; init; }

    public static Goal Max(double limit, string text) => new() { Limit = limit, AtMost = true, Text = text };

    public static Goal Min(double limit, string text) => new() { Limit = limit, AtMost = false, Text = text };

    public string Judge(double value)
    {
        var met = AtMost ? value <= Limit : value >= Limit;
        if (met)
        {
            return "met";
        }

        // How far off, relative to the goal, so "missed by 40%" reads the same for any unit.
        var off = AtMost ? (value - Limit) / Limit : (Limit - value) / Limit;
        return $"missed by {off:P0}";
    }
}
