using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Serverless.Local;

/// <summary>
/// Progress of a long write. On a terminal, Spectre.Console's live progress bar (count, percentage, rate, time left);
/// when the output is redirected (CI logs, files) a plain line every few seconds, because a redrawn line makes logs
/// unreadable. Both show the rate over a recent window and the time left from it (Spectre's bar keeps its own recent
/// samples): a bulk write into a stack whose stream is being read slows as it goes, and an average since the start
/// would promise an end that never comes. Thread-safe: parallel writers report into one display.
/// </summary>
public sealed class ProgressDisplay : IAsyncDisposable
{
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(5);

    /// <summary>The span the plain lines' rate and time left are measured over.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(60);

    private readonly TextWriter _writer;
    private readonly string _label;
    private readonly long _total;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly Lock _gate = new();
    private readonly Queue<(TimeSpan At, long Done)> _samples = new();
    private readonly TerminalBar? _bar;
    private long _done;
    private TimeSpan? _lastLine;

    /// <param name="total">Items expected; 0 or less when unknown (then no bar and no time left).</param>
    /// <param name="interactive">Draw a live bar (a terminal); otherwise write plain lines.</param>
    /// <param name="time">The clock the rates are measured by (tests drive it); the system's by default.</param>
    public ProgressDisplay(TextWriter writer, string label, long total, bool interactive, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _started = _time.GetTimestamp();
        _samples.Enqueue((TimeSpan.Zero, 0));
        _writer = writer;
        _label = label;
        _total = total;
        _bar = interactive ? new TerminalBar(writer, label, total) : null;
    }

    /// <summary>True when <paramref name="writer"/> is the console's error stream and that stream is a terminal.</summary>
    public static bool IsTerminal(TextWriter writer) => ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;

    public long Done => Interlocked.Read(ref _done);

    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    public void Advance(long items)
    {
        var done = Interlocked.Add(ref _done, items);
        if (_bar is not null)
        {
            _bar.Advance(items);
            return;
        }

        var now = Elapsed;
        lock (_gate)
        {
            if (_lastLine is { } last && now - last < LineInterval)
            {
                return;
            }

            _lastLine = now;
            WriteLine(done, now, final: false);
        }
    }

    /// <summary>Shows the final state: the bar full and stopped, or the last line.</summary>
    public async Task CompleteAsync()
    {
        if (_bar is not null)
        {
            await _bar.StopAsync().ConfigureAwait(false);
            return;
        }

        lock (_gate)
        {
            WriteLine(Done, Elapsed, final: true);
        }
    }

    /// <summary>Stops a live bar that <see cref="CompleteAsync"/> did not (the work failed), so an error prints on a quiet line.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_bar is not null)
        {
            await _bar.StopAsync().ConfigureAwait(false);
        }
    }

    public static string Rate(long items, TimeSpan elapsed) =>
        (elapsed.TotalSeconds > 0 ? items / elapsed.TotalSeconds : 0).ToString("N0", CultureInfo.InvariantCulture) + "/s";

    private void WriteLine(long done, TimeSpan elapsed, bool final)
    {
        // Called under the gate. The oldest sample still inside the window is where the recent rate is measured from.
        _samples.Enqueue((elapsed, done));
        while (_samples.Count > 2 && elapsed - _samples.Peek().At > RateWindow)
        {
            _samples.Dequeue();
        }

        var (fromAt, fromDone) = _samples.Peek();
        var span = elapsed - fromAt;
        var recent = span > TimeSpan.Zero ? (done - fromDone) / span.TotalSeconds : 0;
        var windowed = fromAt > TimeSpan.Zero;
        var rate = final || !windowed
            ? Rate(done, elapsed)
            : string.Create(CultureInfo.InvariantCulture, $"{recent:N0}/s over the last {span.TotalSeconds:0} s, {Rate(done, elapsed)} overall");
        string line;
        if (_total > 0)
        {
            var fraction = Math.Clamp((double)done / _total, 0, 1);
            var eta = recent > 0 && _total > done ? TimeSpan.FromSeconds((_total - done) / recent) : TimeSpan.Zero;
            // Not "P0": the invariant culture writes "100 %", with a space before the sign. Floored, so 100% means done.
            line = string.Create(CultureInfo.InvariantCulture,
                $"{_label}: {done:N0}/{_total:N0} items ({Math.Floor(fraction * 100):0}%), {rate}, {(final ? $"in {Format(elapsed)}" : $"ETA {Format(eta)}")}");
        }
        else
        {
            // The total is unknown (a filtered scan): count and rate only.
            line = string.Create(CultureInfo.InvariantCulture,
                $"{_label}: {done:N0} items, {rate}, {(final ? $"in {Format(elapsed)}" : $"{Format(elapsed)} so far")}");
        }

        _writer.WriteLine(line);
        _writer.Flush();
    }

    private static string Format(TimeSpan time) =>
        time.TotalHours >= 1
            ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : time.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    /// <summary>Spectre.Console's progress, running until <see cref="StopAsync"/>; its task is fed from any thread.</summary>
    private sealed class TerminalBar
    {
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<ProgressTask> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _rendering;
        private const double Unbounded = long.MaxValue;

        private readonly bool _known;

        public TerminalBar(TextWriter writer, string label, long total)
        {
            _known = total > 0;
            // The caller has found a terminal (see IsTerminal), so the bar is live whatever Spectre detects of the writer.
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.Yes });
            ProgressColumn[] columns = _known
                ? [new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new CountColumn(), new RemainingTimeColumn()]
                : [new TaskDescriptionColumn(), new SpinnerColumn(), new CountColumn(), new ElapsedTimeColumn()];
            _rendering = console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(columns)
                .StartAsync(async context =>
                {
                    // Unknown total: a spinner and a count (the task's value is capped at its maximum, so no real cap).
                    var task = context.AddTask(Markup.Escape(label), maxValue: _known ? total : Unbounded);
                    task.IsIndeterminate = !_known;
                    _started.SetResult(task);
                    await _finished.Task.ConfigureAwait(false);
                    task.StopTask();
                });
        }

        public void Advance(long items)
        {
            if (_started.Task.IsCompletedSuccessfully)
            {
                _started.Task.Result.Increment(items);
                return;
            }

            // Reports that arrive before the bar is up wait for it; the bar then counts them too.
            _ = _started.Task.ContinueWith(t => t.Result.Increment(items), TaskScheduler.Default);
        }

        public Task StopAsync()
        {
            // The bar's delegate waits for this; set before it runs, the bar ends as soon as it is up.
            _finished.TrySetResult();
            return _rendering;
        }

        /// <summary>"12,345/180,000 items, 4,100/s": what the bar stands for, in items rather than percent alone.</summary>
        private sealed class CountColumn : ProgressColumn
        {
            public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
            {
                var done = (long)task.Value;
                var rate = task.Speed is { } speed ? speed.ToString("N0", CultureInfo.InvariantCulture) + "/s" : "";
                var count = task.MaxValue >= Unbounded
                    ? string.Create(CultureInfo.InvariantCulture, $"{done:N0} items")
                    : string.Create(CultureInfo.InvariantCulture, $"{done:N0}/{(long)task.MaxValue:N0} items");
                return new Text(rate.Length > 0 ? $"{count}, {rate}" : count);
            }
        }
    }
}
