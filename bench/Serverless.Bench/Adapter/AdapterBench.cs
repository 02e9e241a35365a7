using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Serverless.Bench.Report;
using Serverless.Bench.Support;

namespace Serverless.Bench.Adapter;

/// <summary>Runs <see cref="AdapterBenchmarks"/> with BenchmarkDotNet in this process and reads its summary.</summary>
public static class AdapterBench
{
    public const string Key = "adapter";

    public static Task<SectionResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var job = (context.Quick ? Job.ShortRun : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogger(ConsoleLogger.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithArtifactsPath(Path.Combine(context.Settings.RepoRoot, "artifacts", "bench", "benchmarkdotnet"))
            .WithOptions(ConfigOptions.DisableLogFile);

        var summary = BenchmarkRunner.Run<AdapterBenchmarks>(config);
        var byMethod = summary.Reports.ToDictionary(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name);
        if (byMethod.Values.Any(r => !r.Success || r.ResultStatistics is null))
        {
            throw new InvalidOperationException("A benchmark of the adapter failed; BenchmarkDotNet's output above says why.");
        }

        double TimeUs(string method) => byMethod[method].ResultStatistics!.Median / 1000;
        double Bytes(string method) => byMethod[method].GcStats.GetBytesAllocatedPerOperation(byMethod[method].BenchmarkCase) ?? 0;

        var direct = TimeUs(nameof(AdapterBenchmarks.InProcess));
        var lambda = TimeUs(nameof(AdapterBenchmarks.LambdaAdapter));
        var kestrel = TimeUs(nameof(AdapterBenchmarks.Kestrel));
        var directBytes = Bytes(nameof(AdapterBenchmarks.InProcess));
        var lambdaBytes = Bytes(nameof(AdapterBenchmarks.LambdaAdapter));
        var kestrelBytes = Bytes(nameof(AdapterBenchmarks.Kestrel));

        var section = new SectionResult
        {
            Key = Key,
            Title = "Lambda adapter overhead",
            Quick = context.Quick,
            Method =
                "BenchmarkDotNet (in-process toolchain, " + (context.Quick ? "short run" : "default job") + ", memory diagnoser): one warm "
                + "`GET /health` through the real API app three ways: handed straight to the app's pipeline by a bare in-process server "
                + "(the baseline), through our Lambda adapter (HTTP API 2.0 event JSON in, response JSON out), and over Kestrel on "
                + "loopback with HttpClient. The adapter's cost is its time and allocations above the baseline.",
            Rows =
            {
                new Row
                {
                    Measure = "adapter time added per invocation (µs)",
                    Ours = Format.Us(lambda),
                    Baseline = Format.Us(direct) + " (in-process)",
                    Ratio = lambda - direct,
                    Goal = Goal.Max(25, "< 25 µs"),
                },
                new Row
                {
                    Measure = "adapter bytes allocated per invocation (KB)",
                    Ours = Format.Bytes(lambdaBytes),
                    Baseline = Format.Bytes(directBytes) + " (in-process)",
                    Ratio = (lambdaBytes - directBytes) / 1024,
                    Goal = Goal.Max(8, "< 8 KB"),
                },
                new Row
                {
                    Measure = "Lambda adapter / Kestrel over loopback (time)",
                    Ours = Format.Us(lambda),
                    Baseline = Format.Us(kestrel),
                    Ratio = lambda / kestrel,
                },
            },
            Details =
            {
                $"in-process: {Format.Us(direct)}, {Format.Bytes(directBytes)} allocated",
                $"Lambda adapter: {Format.Us(lambda)}, {Format.Bytes(lambdaBytes)} allocated",
                $"Kestrel over loopback (client and server in one process): {Format.Us(kestrel)}, {Format.Bytes(kestrelBytes)} allocated",
            },
        };
        return Task.FromResult(section);
    }
}
