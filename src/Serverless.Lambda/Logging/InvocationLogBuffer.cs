namespace Serverless.Lambda.Logging;

/// <summary>
/// One invocation's logging state, shared by every logger of the process: whether it was sampled (decided once, by
/// the first logger with a sampling rate that asks) and the lines held back for it. Safe for the invocation's concurrent tasks.
/// </summary>
internal sealed class InvocationLogBuffer
{
    private readonly Lock gate = new();
    private readonly LinkedList<BufferedLine> lines = new();
    private long bytes;
    private int dropped;
    private int droppedBound;
    private bool? sampled;
    private bool ended;

    /// <summary>The invocation has ended: nothing is held for it any more, and it is sampled no longer.</summary>
    public bool Ended
    {
        get
        {
            lock (gate)
            {
                return ended;
            }
        }
    }

    /// <summary>Whether the invocation logs at Debug. The first call decides, drawing from <paramref name="sampler"/>.</summary>
    /// <param name="draw">The draw, for the one call that decided the invocation is sampled; null for every other.</param>
    public bool Sampled(double rate, Func<double> sampler, out double? draw)
    {
        draw = null;
        lock (gate)
        {
            if (ended)
            {
                return false;
            }

            if (sampled is { } decided)
            {
                return decided;
            }

            if (rate <= 0)
            {
                // A logger that samples nothing takes no decision, so one that does still can.
                return false;
            }

            var value = sampler();
            sampled = value < rate;
            draw = sampled.Value ? value : null;
            return sampled.Value;
        }
    }

    /// <summary>Holds a line; false when the invocation has ended (the line is then not kept).</summary>
    public bool Add(LambdaJsonLoggerProvider provider, byte[] line, int maxBytes)
    {
        lock (gate)
        {
            if (ended)
            {
                return false;
            }

            lines.AddLast(new BufferedLine(provider, line));
            bytes += line.Length;
            while (bytes > maxBytes && lines.First is { } oldest)
            {
                lines.RemoveFirst();
                bytes -= oldest.Value.Line.Length;
                dropped++;
                droppedBound = maxBytes;
            }

            return true;
        }
    }

    /// <summary>Takes every held line, oldest first, and how many were dropped to keep the bound.</summary>
    public (List<BufferedLine> Lines, int Dropped, int Bound) Take()
    {
        lock (gate)
        {
            var taken = new List<BufferedLine>(lines);
            var result = (taken, dropped, droppedBound);
            lines.Clear();
            bytes = 0;
            dropped = 0;
            return result;
        }
    }

    /// <summary>Discards what is held: the invocation ended cleanly.</summary>
    public void End()
    {
        lock (gate)
        {
            ended = true;
            lines.Clear();
            bytes = 0;
            dropped = 0;
        }
    }

    internal readonly record struct BufferedLine(LambdaJsonLoggerProvider Provider, byte[] Line);
}
