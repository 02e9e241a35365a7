namespace Serverless.Data.Tools.Migrations;

/// <summary>
/// Spaces operations evenly at a fixed rate across all callers (a backfill must not eat the table's capacity
/// that live traffic needs). Zero or less means unlimited.
/// </summary>
public sealed class Pacer(double perSecond, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval = perSecond > 0 ? TimeSpan.FromSeconds(1 / perSecond) : TimeSpan.Zero;
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_interval == TimeSpan.Zero)
        {
            return;
        }

        TimeSpan delay;
        lock (_gate)
        {
            var now = timeProvider.GetUtcNow();
            // Each caller takes the next free slot; idle time is not banked, so there are no bursts after a pause.
            var slot = _next > now ? _next : now;
            _next = slot + _interval;
            delay = slot - now;
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
