using System.Diagnostics;

namespace Serverless.Bench.Support;

/// <summary>
/// A closed-loop load: <c>concurrency</c> workers each run the operation back to back until <c>operations</c>
/// have run. Gives throughput and the latency of every operation.
/// </summary>
public static class Load
{
    public static async Task<LoadResult> RunAsync(
        int concurrency, int operations, Func<int, CancellationToken, Task> operation, CancellationToken ct, CpuMeter? cpu = null)
    {
        var latencies = new double[operations];
        var cpuBefore = cpu?.Read();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(
            async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < operations)
                {
                    var start = Stopwatch.GetTimestamp();
                    await operation(i, ct);
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            },
            ct));
        await Task.WhenAll(workers);
        clock.Stop();
        return new LoadResult(operations, clock.Elapsed, latencies) { Cpu = cpu is null ? null : cpu.Read() - cpuBefore! };
    }

    /// <summary>
    /// The same closed loop for a fixed time instead of a fixed count, for a subject whose rate is unknown in advance
    /// (it may fall a hundredfold under competing load): as many operations as finish within <paramref name="duration"/>.
    /// </summary>
    public static async Task<LoadResult> RunForAsync(
        int concurrency, TimeSpan duration, Func<int, CancellationToken, Task> operation, CancellationToken ct)
    {
        var perWorker = Enumerable.Range(0, concurrency).Select(_ => new List<double>()).ToArray();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = perWorker.Select(latencies => Task.Run(
            async () =>
            {
                while (clock.Elapsed < duration)
                {
                    var start = Stopwatch.GetTimestamp();
                    await operation(Interlocked.Increment(ref next), ct);
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            },
            ct));
        await Task.WhenAll(workers);
        clock.Stop();
        var all = perWorker.SelectMany(l => l).ToArray();
        return new LoadResult(all.Length, clock.Elapsed, all);
    }
}

public sealed record LoadResult(int Operations, TimeSpan Elapsed, double[] Latencies)
{
    public Stats Latency { get; } = new(Latencies);

    public double Throughput => Operations / Elapsed.TotalSeconds;

    /// <summary>CPU used while the load ran, when measured.</summary>
    public CpuUse? Cpu { get; init; }

    /// <summary>Milliseconds of this process's CPU per operation (client and subject together).</summary>
    public double? SelfCpuPerOperation => Cpu is { } c ? c.Self.TotalMilliseconds / Operations : null;

    /// <summary>Milliseconds of DynamoDB Local's CPU per operation, when known.</summary>
    public double? DynamoDbCpuPerOperation => Cpu?.DynamoDb is { } d ? d.TotalMilliseconds / Operations : null;

    /// <summary>Several rounds as one sample: every latency, the summed time.</summary>
    public static LoadResult Combine(IReadOnlyList<LoadResult> rounds) => new(
        rounds.Sum(r => r.Operations),
        TimeSpan.FromTicks(rounds.Sum(r => r.Elapsed.Ticks)),
        rounds.SelectMany(r => r.Latencies).ToArray())
    {
        Cpu = rounds.All(r => r.Cpu is not null) ? rounds.Aggregate(CpuUse.Zero, (sum, r) => sum + r.Cpu!) : null,
    };
}
