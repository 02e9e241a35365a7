using Xunit;

namespace Serverless.Local.Tests.Seeding;

public class ProgressDisplayTests
{
    [Fact]
    public async Task Redirected_output_gets_plain_lines_and_the_last_one_counts_every_report_from_every_thread()
    {
        var output = new StringWriter();
        await using var progress = new ProgressDisplay(output, "seed", total: 8_000, interactive: false);

        await Parallel.ForAsync(0, 8, async (_, _) =>
        {
            for (var i = 0; i < 40; i++)
            {
                progress.Advance(25);
                await Task.Yield();
            }
        });
        await progress.CompleteAsync();

        Assert.Equal(8_000, progress.Done);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain('\r', output.ToString());
        Assert.StartsWith("seed: 8,000/8,000 items (100%), ", lines[^1]);
        Assert.Contains(", in 0:", lines[^1]);
    }

    [Fact]
    public async Task Plain_lines_give_the_rate_of_the_last_minute_and_the_time_left_at_that_rate()
    {
        var output = new StringWriter();
        var time = new ManualTime();
        await using var progress = new ProgressDisplay(output, "seed", total: 1_000_000, interactive: false, time);

        // Two minutes at 1,000 items/s, then about two at 100/s (a line every 5 s, the last at 236 s): the average since
        // the start is still above 500/s, and would promise the end in half an hour.
        for (var second = 1; second <= 236; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            progress.Advance(second <= 120 ? 1_000 : 100);
        }

        var last = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith("seed: 131,600/1,000,000 items (13%), 100/s over the last 60 s, 558/s overall, ETA 2:24:44", last);
        await progress.CompleteAsync();
    }

    [Fact]
    public async Task An_unknown_total_is_a_count_without_a_percentage()
    {
        var output = new StringWriter();
        await using var progress = new ProgressDisplay(output, "scan", total: 0, interactive: false);

        progress.Advance(1_380);
        await progress.CompleteAsync();

        var last = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith("scan: 1,380 items, ", last);
        Assert.DoesNotContain("%", last);
    }

    [Fact]
    public async Task The_live_bar_shows_the_label_and_the_final_count_when_complete()
    {
        var output = new StringWriter();
        await using var progress = new ProgressDisplay(output, "seed", total: 1_000, interactive: true);

        await Parallel.ForAsync(0, 4, (_, _) =>
        {
            for (var i = 0; i < 10; i++)
            {
                progress.Advance(25);
            }

            return ValueTask.CompletedTask;
        });
        await progress.CompleteAsync();

        Assert.Equal(1_000, progress.Done);
        var text = output.ToString();
        Assert.Contains("seed", text);
        Assert.Contains("1,000/1,000 items", text);
    }

    [Fact]
    public async Task A_bar_left_running_by_a_failure_stops_when_disposed()
    {
        var output = new StringWriter();
        var progress = new ProgressDisplay(output, "seed", total: 1_000, interactive: true);
        progress.Advance(25);

        // What `await using` does when the seeding throws before CompleteAsync.
        var disposed = progress.DisposeAsync().AsTask();

        Assert.Same(disposed, await Task.WhenAny(disposed, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)));
        await disposed;
    }
}

/// <summary>A clock that moves only when told, for the rates measured over time.</summary>
internal sealed class ManualTime : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
