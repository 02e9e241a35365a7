using System.Diagnostics;
using System.Globalization;

namespace Serverless.Bench.Support;

/// <summary>
/// CPU time spent by this process (the subject and its client) and by DynamoDB Local (a JVM we started), read
/// before and after a measurement. On a 2-core machine shared by both, this is where a slower side's time went.
/// </summary>
public sealed class CpuMeter(int? dynamoDbPid)
{
    /// <summary>Runs <paramref name="work"/>, timing it, and gives the CPU both processes used meanwhile.</summary>
    public async Task<(TimeSpan Elapsed, CpuUse Cpu)> TimeAsync(Func<Task> work)
    {
        var (elapsed, cpu) = await MeasureAsync(async () =>
        {
            var clock = Stopwatch.StartNew();
            await work();
            return clock.Elapsed;
        });
        return (elapsed, cpu);
    }

    /// <summary>Runs <paramref name="work"/> and gives its result with the CPU both processes used meanwhile.</summary>
    public async Task<(T Result, CpuUse Cpu)> MeasureAsync<T>(Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var before = Read();
        var result = await work();
        return (result, Read() - before);
    }

    public CpuSample Read()
    {
        using var self = Process.GetCurrentProcess();
        return new CpuSample(self.TotalProcessorTime, DynamoDbTime());
    }

    private TimeSpan? DynamoDbTime()
    {
        if (dynamoDbPid is not { } pid)
        {
            return null;
        }

        try
        {
            // /proc/<pid>/stat: fields 14 and 15 are utime and stime in clock ticks (100 per second on Linux).
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}

public sealed record CpuSample(TimeSpan Self, TimeSpan? DynamoDb)
{
    public static CpuUse operator -(CpuSample after, CpuSample before) =>
        new(after.Self - before.Self, after.DynamoDb is { } a && before.DynamoDb is { } b ? a - b : null);
}

/// <summary>CPU used during a measurement: by this process, and by DynamoDB Local when known.</summary>
public sealed record CpuUse(TimeSpan Self, TimeSpan? DynamoDb)
{
    public static CpuUse Zero { get; } = new(TimeSpan.Zero, TimeSpan.Zero);

    public static CpuUse operator +(CpuUse a, CpuUse b) =>
        new(a.Self + b.Self, a.DynamoDb is { } x && b.DynamoDb is { } y ? x + y : null);
}
