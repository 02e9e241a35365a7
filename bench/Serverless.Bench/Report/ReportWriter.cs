using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Serverless.Bench.Support;

namespace Serverless.Bench.Report;

/// <summary>Writes docs/benchmarks.md from the sections' saved results: figures beside goals and anchors, machine, date, command.</summary>
public static class ReportWriter
{
    public static async Task WriteAsync(BenchSettings settings, IReadOnlyList<(string Key, string Title)> sections, string command, CancellationToken ct)
    {
        var results = new List<(string Key, string Title, SectionResult? Result)>();
        foreach (var (key, title) in sections)
        {
            results.Add((key, title, await ResultStore.LoadAsync(settings.ResultsDirectory, key, ct)));
        }

        var doc = new StringBuilder();
        doc.AppendLine("# Benchmarks");
        doc.AppendLine();
        doc.AppendLine("Every figure is measured beside its baseline on the same machine in the same run, and judged as a ratio. ");
        doc.AppendLine("Machines here are shared and noisy: medians, never means; no test asserts a time. How each is measured: `bench/README.md`.");
        doc.AppendLine();
        doc.AppendLine("| | |");
        doc.AppendLine("|---|---|");
        doc.AppendLine(CultureInfo.InvariantCulture, $"| command | `{command}` |");
        var dates = results.Where(r => r.Result is not null).Select(r => r.Result!.MeasuredAt).DefaultIfEmpty(DateTimeOffset.UtcNow);
        doc.AppendLine(CultureInfo.InvariantCulture, $"| date | {dates.Min():yyyy-MM-dd HH:mm} UTC to {dates.Max():yyyy-MM-dd HH:mm} UTC |");
        doc.AppendLine(CultureInfo.InvariantCulture, $"| mode | {(results.Any(r => r.Result?.Quick == true) ? "quick (fewer starts, smaller data: figures are indicative)" : "full")} |");
        doc.AppendLine(CultureInfo.InvariantCulture, $"| machine | {Machine.Describe()} |");
        doc.AppendLine(CultureInfo.InvariantCulture, $"| runtime | .NET {Environment.Version}, {RuntimeInformation.OSDescription}, DynamoDB Local 1.25.1 (in memory) on {Machine.Java()} |");
        doc.AppendLine();

        doc.AppendLine("## Summary");
        doc.AppendLine();
        doc.AppendLine("| section | measure | ours | baseline | ratio | goal | verdict | anchor |");
        doc.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var (_, title, result) in results)
        {
            if (result is null || result.Error is not null)
            {
                doc.AppendLine(CultureInfo.InvariantCulture, $"| {title} | not measured: {Cell(result?.Error ?? "no result in this run")} | | | | | | |");
                continue;
            }

            foreach (var row in result.Rows)
            {
                doc.AppendLine(CultureInfo.InvariantCulture,
                    $"| {title} | {Cell(row.Measure)} | {Cell(row.Ours)} | {Cell(row.Baseline)} | {(row.Ratio is { } r ? Format.Ratio(r) : "")} | {Cell(row.Goal?.Text ?? "")} | {row.Verdict} | {Cell(row.Anchor)} |");
            }
        }

        foreach (var (_, title, result) in results)
        {
            doc.AppendLine();
            doc.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
            doc.AppendLine();
            if (result is null)
            {
                doc.AppendLine("Not measured in this run.");
                continue;
            }

            if (result.Error is not null)
            {
                doc.AppendLine(CultureInfo.InvariantCulture, $"Could not be measured: {result.Error}");
                continue;
            }

            doc.AppendLine(result.Method);
            doc.AppendLine();
            doc.AppendLine(CultureInfo.InvariantCulture, $"Measured {result.MeasuredAt:yyyy-MM-dd HH:mm} UTC in {result.Elapsed.TotalSeconds:0} s{(result.Quick ? " (quick mode)" : "")}.");
            doc.AppendLine();
            foreach (var line in result.Details)
            {
                doc.AppendLine("- " + line);
            }

            if (result.Notes.Count > 0)
            {
                doc.AppendLine();
                foreach (var note in result.Notes)
                {
                    doc.AppendLine(note);
                    doc.AppendLine();
                }
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(settings.DocPath)!);
        await File.WriteAllTextAsync(settings.DocPath, doc.ToString(), ct);
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
