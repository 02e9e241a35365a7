namespace Serverless.Data.Client.Faults;

/// <summary>The seeded sequence that decides which requests fail: one per factory, so a run repeats whatever the SDK's HTTP clients.</summary>
internal sealed class FaultDraws(FaultOptions options)
{
    // Seeded for a repeatable run, not for secrecy.
#pragma warning disable CA5394
    private readonly Random _random = new(options.Seed);

    public double Next()
    {
        lock (_random)
        {
            return _random.NextDouble();
        }
    }
#pragma warning restore CA5394
}
