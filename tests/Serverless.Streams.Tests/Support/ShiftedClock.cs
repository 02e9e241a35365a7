namespace Serverless.Streams.Tests.Support;

/// <summary>The system clock moved by a fixed offset: lets the TTL sweeper see a retention as ended without waiting for it.</summary>
internal sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
