using System.Diagnostics;
using Serverless.Bench;
using Serverless.Bench.Report;
using Serverless.Bench.Support;

// dotnet run -c Release --project bench/Serverless.Bench -- [all|report|<section>...] [--quick] [--builds DIR] [--results DIR]
// bench/run publishes the builds the cold-start section starts, then runs "all" (see bench/README.md).
var quick = args.Contains("--quick");
var repoRoot = FindRepoRoot();
var builds = Option("--builds") ?? Path.Combine(repoRoot, "artifacts", "bench", "builds");
var results = Option("--results") ?? Path.Combine(repoRoot, "artifacts", "bench", "results");
var settings = new BenchSettings(quick, repoRoot, results, builds);
var command = Option("--command") ?? "bash bench/run" + (quick ? " --quick" : "");

var names = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal) || args[i - 1] == "--quick")).ToList();
if (names.Count == 0 || names.Contains("all"))
{
    names = [.. Sections.All.Select(s => s.Key), "report"];
}

var unknown = names.Where(n => n != "report" && Sections.All.All(s => s.Key != n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"error: unknown section {string.Join(", ", unknown)}; sections: {string.Join(", ", Sections.All.Select(s => s.Key))}, all, report");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var failed = 0;
var toRun = Sections.All.Where(s => names.Contains(s.Key)).ToList();
if (toRun.Count > 0)
{
    await using var context = await BenchContext.StartAsync(settings, cancel.Token);
    foreach (var section in toRun)
    {
        Console.Error.WriteLine($"== {section.Title}{(quick ? " (quick)" : "")}");
        var clock = Stopwatch.StartNew();
        SectionResult result;
        try
        {
            result = await section.Run(context, cancel.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            // A section that cannot be measured says so in the report rather than stopping the others.
            failed++;
            Console.Error.WriteLine($"{section.Title} failed: {e}");
            result = new SectionResult { Key = section.Key, Title = section.Title, Method = "", Quick = quick, Error = e.GetType().Name + ": " + e.Message };
        }

        result.Elapsed = clock.Elapsed;
        await ResultStore.SaveAsync(results, result, cancel.Token);
        foreach (var row in result.Rows)
        {
            Console.Error.WriteLine($"   {row.Measure}: {row.Ours} vs {row.Baseline} ratio {(row.Ratio is { } r ? Format.Ratio(r) : "-")} {row.Goal?.Text} {row.Verdict}");
        }
    }
}

if (names.Contains("report"))
{
    await ReportWriter.WriteAsync(settings, Sections.All.Select(s => (s.Key, s.Title)).ToList(), command, cancel.Token);
    Console.Error.WriteLine($"wrote {Path.GetRelativePath(repoRoot, settings.DocPath)}");
}

return failed == 0 ? 0 : 1;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository (Serverless.sln not found above the current folder).");
}
