using System.Diagnostics;
using System.Globalization;

namespace Serverless.Local;

/// <summary>
/// Progress of a long write: on a terminal a bar redrawn in place with rate and ETA; when the output is
/// redirected (CI logs, files) a plain line every few seconds, because carriage returns make logs unreadable.
/// Thread-safe: parallel writers report into one display.
/// </summary>
public sealed class ProgressDisplay
{
    private const int BarWidth = 30;
    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(5);

    private readonly TextWriter _writer;
    private readonly string _label;
    private readonly long _total;
    private readonly bool _interactive;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private long _done;
    private TimeSpan? _lastDrawn;

    /// <param name="total">Items expected; 0 or less when unknown (then no bar and no ETA).</param>
    public ProgressDisplay(TextWriter writer, string label, long total, bool interactive)
    {
        _writer = writer;
        _label = label;
        _total = total;
        _interactive = interactive;
    }

    /// <summary>True when <paramref name="writer"/> is the console's error stream and that stream is a terminal.</summary>
    public static bool IsTerminal(TextWriter writer) => ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;

    public long Done => Interlocked.Read(ref _done);

    public void Advance(long items)
    {
        var done = Interlocked.Add(ref _done, items);
        var now = _clock.Elapsed;
        lock (_gate)
        {
            if (_lastDrawn is { } last && now - last < (_interactive ? TerminalInterval : LineInterval))
            {
                return;
            }

            _lastDrawn = now;
            Draw(done, now, final: false);
        }
    }

    /// <summary>Draws the final state (and ends the terminal line).</summary>
    public void Complete()
    {
        lock (_gate)
        {
            Draw(Done, _clock.Elapsed, final: true);
        }
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    public static string Rate(long items, TimeSpan elapsed) =>
        (elapsed.TotalSeconds > 0 ? items / elapsed.TotalSeconds : 0).ToString("N0", CultureInfo.InvariantCulture) + "/s";

    private void Draw(long done, TimeSpan elapsed, bool final)
    {
        var fraction = _total > 0 ? Math.Clamp((double)done / _total, 0, 1) : 1;
        var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        var eta = rate > 0 && _total > done ? TimeSpan.FromSeconds((_total - done) / rate) : TimeSpan.Zero;
        // Not "P0": the invariant culture writes "100 %", with a space before the sign. Floored, so 100% means done.
        var counts = string.Create(CultureInfo.InvariantCulture, $"{done:N0}/{_total:N0} items ({Math.Floor(fraction * 100):0}%), {Rate(done, elapsed)}");
        var timing = final ? $"in {Format(elapsed)}" : $"ETA {Format(eta)}";
        if (_total <= 0)
        {
            // The total is unknown (a filtered scan): count and rate only, no bar and no ETA.
            counts = string.Create(CultureInfo.InvariantCulture, $"{done:N0} items, {Rate(done, elapsed)}");
            timing = final ? $"in {Format(elapsed)}" : $"{Format(elapsed)} so far";
            _writer.Write(_interactive ? $"\r{_label}: {counts}, {timing}   " : $"{_label}: {counts}, {timing}\n");
            if (_interactive && final)
            {
                _writer.WriteLine();
            }

            _writer.Flush();
            return;
        }

        if (_interactive)
        {
            var filled = (int)Math.Round(fraction * BarWidth);
            var bar = new string('#', filled) + new string('-', BarWidth - filled);
            _writer.Write($"\r{_label} [{bar}] {counts}, {timing}   ");
            if (final)
            {
                _writer.WriteLine();
            }
        }
        else
        {
            _writer.WriteLine($"{_label}: {counts}, {timing}");
        }

        _writer.Flush();
    }

    private static string Format(TimeSpan time) =>
        time.TotalHours >= 1
            ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : time.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
