using System.Diagnostics;
using System.Runtime;

namespace Serverless.Bench.Support;

/// <summary>
/// Warms a measurement until the JIT has finished with it. Tiered compilation keeps recompiling hot methods (tier 0,
/// instrumented, tier 1 with PGO) on a background thread for the first several thousand requests, and that thread's
/// CPU lands on whichever side happens to be measured meanwhile: a few hundred requests of warm-up leave seconds of
/// compilation inside the measured rounds. The shipped function is Native AOT and never JITs, so the steady state is
/// the figure that speaks for it.
/// </summary>
public static class JitWarmup
{
    /// <summary>Fewer methods than this compiled in a warm-up round counts as quiet.</summary>
    private const int QuietMethods = 25;

    /// <summary>
    /// Runs <paramref name="round"/> until two rounds in a row compile fewer than <see cref="QuietMethods"/> methods, or
    /// <paramref name="limit"/> has passed (then the report says the JIT was still busy).
    /// </summary>
    public static async Task<JitWarmupResult> RunAsync(Func<Task> round, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(round);
        var clock = Stopwatch.StartNew();
        var startMethods = JitInfo.GetCompiledMethodCount();
        var startTime = JitInfo.GetCompilationTime();
        var quietRounds = 0;
        var rounds = 0;
        while (quietRounds < 2 && clock.Elapsed < limit)
        {
            var before = JitInfo.GetCompiledMethodCount();
            await round();
            rounds++;
            quietRounds = JitInfo.GetCompiledMethodCount() - before < QuietMethods ? quietRounds + 1 : 0;
        }

        return new JitWarmupResult(
            rounds,
            clock.Elapsed,
            JitInfo.GetCompiledMethodCount() - startMethods,
            JitInfo.GetCompilationTime() - startTime,
            Quiet: quietRounds >= 2);
    }

    /// <summary>The JIT's compilation time since <paramref name="since"/> (a <see cref="JitInfo.GetCompilationTime"/> reading).</summary>
    public static TimeSpan CompilationSince(TimeSpan since) => JitInfo.GetCompilationTime() - since;
}

/// <summary>What a warm-up took, for the section's method text.</summary>
public sealed record JitWarmupResult(int Rounds, TimeSpan Elapsed, long MethodsCompiled, TimeSpan CompilationTime, bool Quiet)
{
    public string Describe() =>
        $"warmed {Rounds} round(s) ({Elapsed.TotalSeconds:0} s, {MethodsCompiled:N0} methods compiled in {CompilationTime.TotalSeconds:0.0} s of JIT time) "
        + (Quiet ? "until two rounds in a row compiled fewer than 25 methods" : "and stopped at its time limit with the JIT still compiling");
}
