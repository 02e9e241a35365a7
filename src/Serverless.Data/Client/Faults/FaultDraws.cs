namespace Serverless.Data.Client.Faults;

/// <summary>The seeded sequence that decides which requests fail: one per factory, so a run repeats whatever the SDK's HTTP clients.</summary>
internal sealed class FaultDraws(FaultOptions options)
{
    // Seeded for a repeatable run, not for secrecy.
#pragma warning disable CA5394
    private readonly Random _random = new(options.Seed);
    private long _faults;

    public double Next()
    {
        lock (_random)
        {
            return _random.NextDouble();
        }
    }
#pragma warning restore CA5394

    /// <summary>Takes one of the faults <see cref="FaultOptions.MaxFaults"/> allows; false once they are all taken.</summary>
    public bool TryTakeFault() => options.MaxFaults is not { } max || Interlocked.Increment(ref _faults) <= max;
}
