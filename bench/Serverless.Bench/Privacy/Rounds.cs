using System.Diagnostics;
using Serverless.Bench.Support;

namespace Serverless.Bench.Privacy;

/// <summary>
/// Sides of a comparison run one call at a time, in alternating rounds (each round starts with another side), so a
/// slow stretch of this shared machine lands on every side alike. Each side's operation gets a running index,
/// distinct across its rounds (a create's user, an unseen user's read).
/// </summary>
internal sealed class Rounds
{
    private readonly List<(string Name, int PerRound, Func<int, Task> Operation)> _sides = [];

    public Rounds Add(string name, int perRound, Func<int, Task> operation)
    {
        _sides.Add((name, perRound, operation));
        return this;
    }

    public async Task<IReadOnlyDictionary<string, Sample>> RunAsync(int rounds, CancellationToken ct)
    {
        var times = _sides.ToDictionary(s => s.Name, _ => new List<double>());
        var medians = _sides.ToDictionary(s => s.Name, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, perRound, operation) in _sides.Skip(round % _sides.Count).Concat(_sides.Take(round % _sides.Count)))
            {
                ct.ThrowIfCancellationRequested();
                var these = await TimeAsync(perRound, i => operation(round * perRound + i));
                times[name].AddRange(these);
                medians[name].Add(new Stats(these).Median);
            }
        }

        return _sides.ToDictionary(s => s.Name, s => new Sample(new Stats(times[s.Name]), medians[s.Name]));
    }

    /// <summary>Milliseconds of each of <paramref name="count"/> calls, one after the other.</summary>
    public static async Task<double[]> TimeAsync(int count, Func<int, Task> operation)
    {
        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation(i);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return times;
    }

    /// <summary>Microseconds of each of <paramref name="count"/> in-process calls (no I/O), after as many unmeasured.</summary>
    public static Stats Micro(int count, Action<int> operation)
    {
        for (var i = 0; i < count; i++)
        {
            operation(i);
        }

        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            operation(i);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        return new Stats(times);
    }
}

/// <summary>One side's calls over all rounds, and the median of each round.</summary>
internal sealed record Sample(Stats All, IReadOnlyList<double> RoundMedians)
{
    public double Median => All.Median;

    public double P99 => All.P99;

    /// <summary>Half the range of the rounds' medians, relative to the overall median: how far this side moves on its own.</summary>
    public double Noise => (RoundMedians.Max() - RoundMedians.Min()) / 2 / All.Median;
}
