namespace Serverless.Testing;

/// <summary>
/// The system clock moved by a fixed offset: makes every record look old, or lets the TTL sweeper see a retention
/// as ended, without waiting.
/// </summary>
public sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
